import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The two ends of the slirp benchmark (run with {@code java SlirpBench.java}, no build needed).
 * {@code serve HTTPPORT ECHOPORT}: on the host's 127.0.0.1, an HTTP server of a deterministic
 * 64 MiB body and a TCP echo server. {@code client HOST HTTPPORT ECHOPORT RUNS ROUNDS}: in the
 * guest, times RUNS fetches of the body (SHA-256 checked, after 3 uncounted warm-up fetches) and
 * ROUNDS 1-byte round trips on one connection (after ROUNDS/4 uncounted ones), and prints the
 * median figures.
 */
public class SlirpBench {
    static final long BODY = 64L << 20;
    static final int WARMUP = 3;

    static void fill(ByteBuffer b, long from) {
        for (int k = 0; k < b.remaining(); k++) {
            long i = from + k;
            long x = i * 0x9E3779B97F4A7C15L;
            b.put(b.position() + k, (byte) (x >>> 56 ^ i >>> 11));
        }
    }

    public static void main(String[] a) throws Exception {
        if (a[0].equals("serve")) {
            serve(Integer.parseInt(a[1]), Integer.parseInt(a[2]));
        } else {
            client(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]));
        }
    }

    static void serve(int httpPort, int echoPort) throws Exception {
        // the body is made once: serving it must not cost the benchmark anything
        ByteBuffer body = ByteBuffer.allocateDirect((int) BODY);
        for (long at = 0; at < BODY; at += 1 << 16) {
            ByteBuffer s = body.slice((int) at, 1 << 16);
            fill(s, at);
        }
        ServerSocketChannel http = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", httpPort));
        ServerSocketChannel echo = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", echoPort));
        Thread.ofPlatform().start(() -> acceptLoop(echo, c -> {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) >= 0) {
                b.flip();
                while (b.hasRemaining()) {
                    c.write(b);
                }
                b.clear();
            }
        }));
        System.out.println("serving");
        acceptLoop(http, c -> {
            ByteBuffer req = ByteBuffer.allocate(8192);
            while (!new String(req.array(), 0, req.position(), StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                if (c.read(req) < 0) {
                    return;
                }
            }
            c.write(ByteBuffer.wrap(("HTTP/1.0 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer b = body.duplicate().clear();
            while (b.hasRemaining()) {
                c.write(b);
            }
        });
    }

    interface Handler {
        void handle(SocketChannel c) throws IOException;
    }

    static void acceptLoop(ServerSocketChannel s, Handler h) {
        while (true) {
            try {
                SocketChannel c = s.accept();
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        h.handle(c);
                    } catch (IOException e) {
                        // client gone
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    static void client(String host, int httpPort, int echoPort, int runs, int rounds) throws Exception {
        String expected = null;
        double[] mbps = new double[runs];
        for (int r = -WARMUP; r < runs; r++) { // the first WARMUP fetches are not counted (JIT warm-up)
            long t0 = System.nanoTime();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long got = 0;
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress(host, httpPort))) {
                c.write(ByteBuffer.wrap("GET /body HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                boolean header = true;
                while (c.read(b) >= 0) {
                    b.flip();
                    if (header) {
                        String s = new String(b.array(), 0, b.limit(), StandardCharsets.ISO_8859_1);
                        int end = s.indexOf("\r\n\r\n");
                        if (end < 0) {
                            b.position(b.limit()).limit(b.capacity());
                            continue;
                        }
                        b.position(end + 4);
                        header = false;
                    }
                    got += b.remaining();
                    md.update(b);
                    b.clear();
                }
            }
            long ns = System.nanoTime() - t0;
            if (got != BODY) {
                throw new IOException("got " + got + " bytes, not " + BODY);
            }
            String sum = HexFormat.of().formatHex(md.digest());
            if (expected == null) {
                ByteBuffer ref = ByteBuffer.allocate(1 << 16);
                MessageDigest m2 = MessageDigest.getInstance("SHA-256");
                for (long at = 0; at < BODY; at += ref.capacity()) {
                    ref.clear();
                    fill(ref, at);
                    m2.update(ref);
                }
                expected = HexFormat.of().formatHex(m2.digest());
            }
            if (!sum.equals(expected)) {
                throw new IOException("SHA-256 mismatch: " + sum);
            }
            double rate = BODY * 8 / (ns / 1e9) / 1e6;
            System.out.printf("fetch %s: 64 MiB in %.3f s = %.0f Mbit/s (sha256 ok)%n", r < 0 ? "warm-up" : r + 1,
                    ns / 1e9, rate);
            if (r >= 0) {
                mbps[r] = rate;
            }
        }
        double[] rtt = new double[rounds];
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress(host, echoPort))) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = -rounds / 4; i < rounds; i++) { // a quarter more first, not counted
                if (i < 0) {
                    one.clear().put(0, (byte) i);
                    c.write(one);
                    one.clear();
                    while (one.hasRemaining() && c.read(one) >= 0) {
                        // the echo
                    }
                    continue;
                }
                long t0 = System.nanoTime();
                one.clear().put(0, (byte) i);
                c.write(one);
                one.clear();
                while (one.hasRemaining()) {
                    if (c.read(one) < 0) {
                        throw new IOException("echo closed");
                    }
                }
                rtt[i] = (System.nanoTime() - t0) / 1e3;
            }
        }
        Arrays.sort(mbps);
        Arrays.sort(rtt);
        System.out.printf("RESULT fetch median %.0f Mbit/s (best %.0f) | 1-byte round trip median %.1f us, p90 %.1f us%n",
                mbps[runs / 2], mbps[runs - 1], rtt[rounds / 2], rtt[rounds * 9 / 10]);
    }
}
