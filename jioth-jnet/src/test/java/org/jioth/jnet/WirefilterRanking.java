package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.KernelPeers.inNamespace;
import static org.jioth.jnet.KernelPeers.run;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A measurement that can rank jnet's sending against Linux's under loss, not a CI test (opt-in:
 * {@code -Djioth.rankLoss=LOSS}, e.g. 1 or 5). Single 3-second bench cells hold a few dozen
 * loss events and swing 2-10x; this one moves a whole file ({@code -Djioth.rankMiB=}, default
 * 16) through {@code wirefilter -l LOSS -d 5+3 -D 1} many times ({@code -Djioth.rankRuns=},
 * default 5), alternating Linux and jnet as the sender on the same path, and prints every
 * completion time, the median, the spread and the ratio of medians.
 *
 * <p>Roles ({@code -Djioth.rankRoles=client,server}): {@code client}, the sender connects (jnet
 * client, or a Linux client in a namespace beside jnet, to a Linux server across the filter);
 * {@code server}, the sender is the accepted side and writes once the client sent a byte.
 * Congestion control ({@code -Djioth.rankCc=bbr}, or {@code cubic}) is the same on both stacks:
 * jnet's {@code cc=} option, and the kernel peers' routes ({@code congctl}). Every byte is
 * checked; no timing is asserted. Run it under the bench lock, e.g.
 * {@code flock /work/wt/bench.lock ./mvnw -B -q -o -pl jioth-jnet -am test -Dtest=WirefilterRanking
 * -Djioth.rankLoss=5 -Dsurefire.failIfNoSpecifiedTests=false} (docs/scripts/wirefilter-send-vs-kernel.sh).
 */
class WirefilterRanking {
    static final String KERNEL = "192.168.254.1";
    static final String KERNEL_2 = "192.168.254.3";
    static final String JNET = "192.168.254.2";
    static final int PORT = 7101;
    /** The fields of jnet's connection state worth a line per transfer. */
    static final java.util.regex.Pattern SUMMARY = java.util.regex.Pattern.compile(
            "\\b(retrans|timeouts|fast|tlp|undo|lostrxt|rescue|dupreports|bw|startupbw|limited|late)=\\S+");

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
    @Timeout(value = 1800, unit = TimeUnit.SECONDS)
    void jnetAndLinuxSendingAlternated() throws Exception {
        String loss = System.getProperty("jioth.rankLoss");
        assumeTrue(loss != null, "opt-in: -Djioth.rankLoss=LOSS_PERCENT");
        String missing = VdeLab.unavailable(true);
        assumeTrue(missing == null, missing);
        long total = Long.getLong("jioth.rankMiB", 16) << 20;
        int runs = Integer.getInteger("jioth.rankRuns", 5);
        String cc = System.getProperty("jioth.rankCc", "bbr");
        List<String> roles = List.of(System.getProperty("jioth.rankRoles", "client,server").split(","));
        lab = new VdeLab();
        Path kernelSide = lab.vdeSwitch("k");
        Path jnetSide = lab.vdeSwitch("j");
        lab.wirefilter(kernelSide, jnetSide, "-l", loss, "-d", "5+3", "-D", "1");
        peer = lab.kernelPeer(kernelSide, KERNEL);
        String beside = lab.kernelPeer(jnetSide, KERNEL_2);
        besideNs = beside;
        for (String ns : List.of(peer, beside)) {
            congestionControl(ns, cc);
        }
        jnet = JnetStack.builder().options("seed=31,cc=" + cc).vnl("vde://" + jnetSide).build();
        int idx = jnet.config().ifNameToIndex("vde0");
        jnet.config().linkSetUpDown(idx, true);
        jnet.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, idx);

        StringBuilder report = new StringBuilder(String.format(
                "ranking: wirefilter %s %% loss, 5+3 ms, 1 %% dup; %d MiB per transfer; %d transfers per stack and role,"
                        + " alternated; cc=%s on both stacks; load %s at the start%n", loss, total >> 20, runs, cc, load()));
        for (String role : roles) {
            double[] linux = new double[runs];
            double[] ours = new double[runs];
            List<String> notes = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                if ("client".equals(role)) {
                    linux[i] = clientSends(() -> inNamespace(beside, SocketChannel::open), total, false);
                    ours[i] = clientSends(jnet.provider()::openSocketChannel, total, true);
                } else if ("server".equals(role)) {
                    linux[i] = serverSends(kernelListener(beside, KERNEL_2), KERNEL_2, peer, total, false);
                    ServerSocketChannel js = jnet.provider().openServerSocketChannel();
                    js.bind(new InetSocketAddress(InetAddress.ofLiteral(JNET), PORT), 5);
                    ours[i] = serverSends(js, JNET, peer, total, true);
                } else {
                    throw new IllegalArgumentException("jioth.rankRoles: unknown role '" + role + "' (client or server)");
                }
                notes.add(String.format("    %d: Linux %6.2f s, jnet %6.2f s  %s", i + 1, linux[i], ours[i], last));
            }
            report.append(String.format("  %s sending to Linux across the filter:%n", role));
            notes.forEach(n -> report.append(n).append('\n'));
            report.append(String.format("    Linux: median %.2f s (min %.2f, max %.2f)%n", median(linux), min(linux), max(linux)));
            report.append(String.format("    jnet:  median %.2f s (min %.2f, max %.2f)%n", median(ours), min(ours), max(ours)));
            report.append(String.format("    jnet/Linux completion: %.2fx (ratio of medians; per-pair ratios %s)%n",
                    median(ours) / median(linux), pairRatios(ours, linux)));
        }
        report.append("  load at the end ").append(load()).append('\n');
        System.out.println(report);
    }

    private String last = "";
    /** The namespace of the Linux sender beside jnet. */
    private String besideNs;
    /** The namespace of the Linux peer across the filter (the receiver in every transfer). */
    private String peer;

    /** The kernel peer's connections use {@code cc}: set on its route, as the bench does. */
    private static void congestionControl(String ns, String cc) throws Exception {
        KernelPeers.Result links = run(10, "ip", "-n", ns, "-o", "link", "show");
        Matcher tap = java.util.regex.Pattern.compile("\\d+: (jl\\w+):").matcher(links.out());
        assertThat(tap.find()).as("the tap in %s: %s", ns, links.out()).isTrue();
        KernelPeers.Result r = run(10, "ip", "-n", ns, "route", "replace", "192.168.254.0/24", "dev", tap.group(1),
                "proto", "kernel", "scope", "link", "congctl", cc);
        assertThat(r.code()).as("congctl %s in %s: %s", cc, ns, r.out()).isZero();
    }

    private ServerSocketChannel kernelListener(String ns, String addr) throws Exception {
        return inNamespace(ns, () -> {
            ServerSocketChannel s = SelectorProvider.provider().openServerSocketChannel();
            s.bind(new InetSocketAddress(InetAddress.ofLiteral(addr), PORT), 5);
            return s;
        });
    }

    /** A client from {@code opener} sends {@code total} bytes to a Linux server across the filter; seconds until it saw EOF. */
    private double clientSends(Callable<SocketChannel> opener, long total, boolean ours) throws Exception {
        last = "";
        try (ServerSocketChannel listener = kernelListener(peer, KERNEL)) {
            Future<Long> received = threads.submit(() -> {
                try (SocketChannel c = listener.accept()) {
                    return Pattern.readAndCheck(c);
                }
            });
            long t0 = System.nanoTime();
            Future<?> series = SERIES ? threads.submit(() -> ours ? series(t0) : linuxSeries(t0)) : null;
            try (SocketChannel c = opener.call()) {
                c.connect(new InetSocketAddress(KERNEL, PORT));
                Pattern.write(c, total);
                if (ours) {
                    last = summary();
                }
                c.shutdownOutput();
                assertThat(received.get(600, TimeUnit.SECONDS)).isEqualTo(total);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            printSeries(series);
            return s;
        }
    }

    /**
     * The listener's accepted side sends {@code total} bytes once a Linux client (in {@code clientNs},
     * across the filter) sent one; seconds from the connect until the client saw EOF.
     */
    private double serverSends(ServerSocketChannel listener, String to, String clientNs, long total, boolean ours)
            throws Exception {
        last = "";
        try (listener) {
            Future<String> sent = threads.submit(() -> {
                try (SocketChannel c = listener.accept()) {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (one.hasRemaining() && c.read(one) >= 0) {
                        // the client's go
                    }
                    Pattern.write(c, total);
                    String s = ours ? summary() : "";
                    c.shutdownOutput();
                    while (c.read(one.clear()) >= 0) {
                        // until the client closes
                    }
                    return s;
                }
            });
            long t0 = System.nanoTime();
            Future<?> series = SERIES ? threads.submit(() -> ours ? series(t0) : linuxSeries(t0)) : null;
            try (SocketChannel c = inNamespace(clientNs, SocketChannel::open)) {
                c.connect(new InetSocketAddress(to, PORT));
                c.write(ByteBuffer.wrap(new byte[] {1}));
                assertThat(Pattern.readAndCheck(c)).isEqualTo(total);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            last = sent.get(60, TimeUnit.SECONDS);
            printSeries(series);
            return s;
        }
    }

    /** {@code -Djioth.rankSeries=true}: every jnet transfer's state each {@link #SERIES_MS} (a diagnosis). */
    static final boolean SERIES = Boolean.getBoolean("jioth.rankSeries");
    /** {@code -Djioth.rankSeriesMs=10}: the series' step (100 ms by default; STARTUP's rounds take ~14 ms). */
    static final long SERIES_MS = Long.getLong("jioth.rankSeriesMs", 100);
    static final java.util.regex.Pattern SERIES_FIELDS = java.util.regex.Pattern.compile(
            "\\b(una|nxt|wnd|cwnd|sndbuf|retrans|fast|lostrxt|bw|minrtt|srtt|limited|pacing|late)=\\S+|probe_\\w+|startup|drain|probe_rtt");
    private final StringBuffer seriesLines = new StringBuffer();

    private Object series(long t0) throws Exception {
        seriesLines.setLength(0);
        while (!Thread.currentThread().isInterrupted()) {
            String d = jnet.onLoop(() -> jnet.onLoopTcp().describe());
            StringBuilder b = new StringBuilder(String.format("      t=%5.2f", (System.nanoTime() - t0) / 1e9));
            Matcher m = SERIES_FIELDS.matcher(d.lines().findFirst().orElse(""));
            while (m.find()) {
                b.append(' ').append(m.group());
            }
            seriesLines.append(b).append('\n');
            Thread.sleep(SERIES_MS);
        }
        return null;
    }

    /** Linux's fields of {@code ss -tin} worth comparing with jnet's series (BBR's model, its gains, losses). */
    static final java.util.regex.Pattern SS_FIELDS = java.util.regex.Pattern.compile(
            "\\b(bbr:\\S+|cwnd:\\S+|busy:\\S+|rwnd_limited:\\S+|sndbuf_limited:\\S+|snd_wnd:\\S+|pacing_rate \\S+|delivery_rate \\S+|retrans:\\S+|lost:\\S+|bytes_acked:\\S+|rtt:\\S+)");

    /** The Linux sender's state each 100 ms ({@code ss -tin} in the sending namespace, toward the receiver). */
    private Object linuxSeries(long t0) throws Exception {
        seriesLines.setLength(0);
        String beside = besideNs;
        while (!Thread.currentThread().isInterrupted()) {
            KernelPeers.Result r = run(5, "ip", "netns", "exec", beside, "ss", "-tinH", "dst", KERNEL);
            StringBuilder b = new StringBuilder(String.format("      t=%5.2f linux", (System.nanoTime() - t0) / 1e9));
            Matcher m = SS_FIELDS.matcher(r.out().replace('\n', ' '));
            while (m.find()) {
                b.append(' ').append(m.group());
            }
            seriesLines.append(b).append('\n');
            Thread.sleep(SERIES_MS);
        }
        return null;
    }

    private void printSeries(Future<?> series) {
        if (series != null) {
            series.cancel(true);
            System.out.print(seriesLines);
        }
    }

    /** jnet's sending connection once the last byte was handed over: a few counters. */
    private String summary() throws Exception {
        String d = jnet.onLoop(() -> jnet.onLoopTcp().describe());
        StringBuilder b = new StringBuilder();
        Matcher m = SUMMARY.matcher(d.lines().findFirst().orElse(""));
        while (m.find()) {
            b.append(b.isEmpty() ? "" : " ").append(m.group());
        }
        return b.toString();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    private static String pairRatios(double[] ours, double[] linux) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ours.length; i++) {
            b.append(i == 0 ? "" : " ").append(String.format("%.2f", ours[i] / linux[i]));
        }
        return b.toString();
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
