package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.KernelPeers.inNamespace;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A diagnosis, not a test of CI (opt-in: {@code -Djioth.wirefilterDiagnosis=LOSS}, e.g. 1 or 5):
 * one-way bulk transfers through {@code wirefilter -l LOSS -d 5+3 -D 1} between jnet (cc=bbr,
 * or {@code -Djioth.wirefilterCc=}) and a Linux namespace, jnet sending as the client and as the
 * server (the server writes once the client sent a byte) and jnet receiving, each
 * beside Linux at both ends of the same path, printing completion times and jnet's connection
 * state at the end (retransmissions, timeouts, undos, DSACKs, cwnd, the model). Every byte is
 * checked; no timing is asserted. {@code -Djioth.wirefilterMiB=} sets the size (default 32).
 */
class WirefilterBulkDiagnosis {
    static final String KERNEL = "192.168.254.1";
    static final String KERNEL_2 = "192.168.254.3";
    static final String JNET = "192.168.254.2";
    static final int PORT = 7100;

    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    VdeLab lab;
    JnetStack jnet;

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        if (jnet != null) {
            jnet.sockets().closeAll();
            jnet.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void bulkEachWayBesideLinux() throws Exception {
        String loss = System.getProperty("jioth.wirefilterDiagnosis");
        assumeTrue(loss != null, "opt-in: -Djioth.wirefilterDiagnosis=LOSS_PERCENT");
        String missing = VdeLab.unavailable(true);
        assumeTrue(missing == null, missing);
        long total = Long.getLong("jioth.wirefilterMiB", 32) << 20;
        String cc = System.getProperty("jioth.wirefilterCc", "bbr");
        lab = new VdeLab();
        Path kernelSide = lab.vdeSwitch("k");
        Path jnetSide = lab.vdeSwitch("j");
        lab.wirefilter(kernelSide, jnetSide, "-l", loss, "-d", "5+3", "-D", "1");
        String ns = lab.kernelPeer(kernelSide, KERNEL);
        String ns2 = lab.kernelPeer(jnetSide, KERNEL_2);
        jnet = JnetStack.builder().options("seed=31,cc=" + cc).vnl("vde://" + jnetSide).build();
        int idx = jnet.config().ifNameToIndex("vde0");
        jnet.config().linkSetUpDown(idx, true);
        jnet.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, idx);
        StringBuilder report = new StringBuilder("wirefilter " + loss + " % loss, 5+3 ms, 1 % dup, " + (total >> 20)
                + " MiB one way, jnet cc=" + cc + ", load " + loadAverage() + "\n");
        for (int round = 0; round < 2; round++) {
            report.append(String.format("  Linux -> Linux:  %.2f s%n",
                    oneWay(kernelListener(ns, KERNEL), () -> inNamespace(ns2, SocketChannel::open), KERNEL, total, false)));
            report.append(String.format("  jnet -> Linux:   %.2f s  %s%n",
                    oneWay(kernelListener(ns, KERNEL), jnet.provider()::openSocketChannel, KERNEL, total, true), last));
            report.append(String.format("  Linux srv -> Linux:  %.2f s%n",
                    fromServer(kernelListener(ns2, KERNEL_2), () -> inNamespace(ns, SocketChannel::open), KERNEL_2, total,
                            false)));
            ServerSocketChannel js = jnet.provider().openServerSocketChannel();
            js.bind(new InetSocketAddress(InetAddress.ofLiteral(JNET), PORT), 5);
            report.append(String.format("  jnet srv -> Linux:   %.2f s  %s%n",
                    fromServer(js, () -> inNamespace(ns, SocketChannel::open), JNET, total, true), last));
            ServerSocketChannel l = jnet.provider().openServerSocketChannel();
            ssNs = ns;
            l.bind(new InetSocketAddress(InetAddress.ofLiteral(JNET), PORT), 5);
            report.append(String.format("  Linux -> jnet:   %.2f s  %s%n",
                    oneWay(l, () -> inNamespace(ns, SocketChannel::open), JNET, total, true), last));
            ssNs = null;
            report.append("    Linux sender's view (ss -tin, before close): ").append(ssLast).append('\n');
        }
        report.append("  jnet counters: ").append(jnet.statistics().entrySet().stream()
                .filter(e -> e.getKey().contains("Drop") || e.getKey().contains("Retrans") || e.getKey().contains("Overflow"))
                .filter(e -> e.getValue() != 0).map(Object::toString).toList()).append('\n');
        System.out.println(report);
    }

    private String last = "";
    private String ssLast = "";
    private String ssNs;

    private final StringBuffer seriesLines = new StringBuffer();

    /** Every 100 ms until cancelled: the sending connection's state, one compact line (opt-in). */
    private String timeSeries(long t0) throws Exception {
        seriesLines.setLength(0);
        java.util.regex.Pattern keep = java.util.regex.Pattern.compile(
                "\\b(una|cwnd|srtt|sndbuf|retrans|timeouts|fast|tlp|undo|lostrxt|bw|pacing|wnd|limited|late)=\\S+|probe_\\w+|startup|drain|probe_rtt");
        while (!Thread.currentThread().isInterrupted()) {
            String d = jnet.onLoop(() -> jnet.onLoopTcp().describe());
            StringBuilder b = new StringBuilder(String.format("    t=%5.2f", (System.nanoTime() - t0) / 1e9));
            java.util.regex.Matcher m = keep.matcher(d.lines().findFirst().orElse(""));
            while (m.find()) {
                b.append(' ').append(m.group());
            }
            seriesLines.append(b).append('\n');
            Thread.sleep(100);
        }
        return "";
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    private ServerSocketChannel kernelListener(String ns, String addr) throws Exception {
        return inNamespace(ns, () -> {
            ServerSocketChannel s = SelectorProvider.provider().openServerSocketChannel();
            s.bind(new InetSocketAddress(InetAddress.ofLiteral(addr), PORT), 5);
            return s;
        });
    }

    /**
     * {@code total} bytes from the listener's accepted channel to a client that connected and
     * sent one byte (as the bench's source: the server writes once it heard from the client);
     * seconds from the connect until the client saw EOF.
     */
    private double fromServer(ServerSocketChannel listener, Callable<SocketChannel> client, String to, long total,
            boolean describe) throws Exception {
        last = "";
        try (listener) {
            Future<String> sent = threads.submit(() -> {
                try (SocketChannel c = listener.accept()) {
                    java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                    while (one.hasRemaining() && c.read(one) >= 0) {
                        // the client's go
                    }
                    Pattern.write(c, total);
                    if (describe) {
                        last = jnet.onLoop(() -> jnet.onLoopTcp().describe()).replaceAll("\\s+", " ");
                    }
                    c.shutdownOutput();
                    while (c.read(one.clear()) >= 0) {
                        // until the client closes
                    }
                    return "";
                }
            });
            long t0 = System.nanoTime();
            Future<String> series = describe && Boolean.getBoolean("jioth.wirefilterSeries")
                    ? threads.submit(() -> timeSeries(t0)) : null;
            try (SocketChannel c = client.call()) {
                c.connect(new InetSocketAddress(to, PORT));
                c.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                assertThat(Pattern.readAndCheck(c)).isEqualTo(total);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            sent.get(60, TimeUnit.SECONDS);
            if (series != null) {
                series.cancel(true);
                System.out.println(seriesLines);
            }
            return s;
        }
    }

    /** {@code total} bytes from a client to the listener's accepted channel; seconds until the receiver saw EOF. */
    private double oneWay(ServerSocketChannel listener, Callable<SocketChannel> client, String to, long total,
            boolean describe) throws Exception {
        last = "";
        try (listener) {
            Future<Long> received = threads.submit(() -> {
                try (SocketChannel c = listener.accept()) {
                    return Pattern.readAndCheck(c);
                }
            });
            long t0 = System.nanoTime();
            Future<String> series = describe && ssNs == null && Boolean.getBoolean("jioth.wirefilterSeries")
                    ? threads.submit(() -> timeSeries(t0)) : null;
            try (SocketChannel c = client.call()) {
                c.connect(new InetSocketAddress(to, PORT));
                Pattern.write(c, total);
                if (ssNs != null) {
                    Process p = new ProcessBuilder("ip", "netns", "exec", ssNs, "ss", "-tin", "dst", JNET)
                            .redirectErrorStream(true).start();
                    ssLast = new String(p.getInputStream().readAllBytes()).replaceAll("\\s+", " ");
                    p.waitFor();
                }
                if (describe) {
                    last = jnet.onLoop(() -> jnet.onLoopTcp().describe()).replaceAll("\\s+", " ");
                }
                c.shutdownOutput();
                assertThat(received.get(300, TimeUnit.SECONDS)).isEqualTo(total);
                if (describe && last.isEmpty()) {
                    last = jnet.onLoop(() -> jnet.onLoopTcp().describe()).replaceAll("\\s+", " ");
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (series != null) {
                series.cancel(true);
                System.out.println(seriesLines);
            }
            if (describe) {
                // the receiving jnet side: its state once everything arrived
                String now = jnet.onLoop(() -> jnet.onLoopTcp().describe()).replaceAll("\\s+", " ");
                if (!now.isBlank()) {
                    last = last + " | at the end: " + now;
                }
            }
            return s;
        }
    }
}
