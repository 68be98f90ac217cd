// A throwaway probe (not built by Maven): run with bench/churn-syscalls.sh; see docs/benchmarks.md, lane server (wave 9).
import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.Map;
import org.jioth.jnet.JnetStack;

/**
 * server: ChurnProbe server SW ; client: ChurnProbe client SW N. The bench's churn, jnet on vde:
 * N connections one after the other (connect, a 1-byte request, its 1-byte response, the
 * server's close, close), the server serving them one at a time on its accepting thread. Both
 * print their stack's loop and port counters (the server on stdin's EOF).
 */
public class ChurnProbe {
    public static void main(String[] a) throws Exception {
        boolean server = a[0].equals("server");
        JnetStack s = JnetStack.builder().options("seed=" + (server ? 2 : 1)).vnl("vde0:vde://" + a[1]).build();
        int i = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(i, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(server ? "192.168.250.2" : "192.168.250.1"), 24, i);
        if (server) {
            ServerSocketChannel ss = s.provider().openServerSocketChannel();
            ss.bind(new InetSocketAddress("0.0.0.0", 7));
            threads().start(() -> { // as TcpServers' churn: one at a time on the accepting thread
                ByteBuffer one = ByteBuffer.allocate(1);
                while (true) {
                    long p0 = System.nanoTime();
                    SocketChannel c;
                    try {
                        c = ss.accept();
                    } catch (Exception e) {
                        return;
                    }
                    try (c) {
                        long p1 = System.nanoTime();
                        if (c.read(one.clear()) == 1) {
                            long p2 = System.nanoTime();
                            c.write(one.flip());
                            long p3 = System.nanoTime();
                            SERVED[0]++;
                            SERVED[1] += p1 - p0;
                            SERVED[2] += p2 - p1;
                            SERVED[3] += p3 - p2;
                            SERVED[4] -= p3; // + the end of close, below
                        }
                    } catch (Exception e) {
                        return;
                    }
                    SERVED[4] += System.nanoTime();
                }
            });
            System.out.println("ready");
            System.in.read(); // until stdin closes
            System.out.println("server " + counts(s.statistics()) + threadCounts());
            long k = Math.max(1, SERVED[0]);
            System.out.printf("server phases, µs per connection: accept %.1f, request %.1f, write %.1f, close %.1f%n",
                    SERVED[1] / 1e3 / k, SERVED[2] / 1e3 / k, SERVED[3] / 1e3 / k, SERVED[4] / 1e3 / k);
            System.exit(0);
        }
        int n = Integer.parseInt(a[2]);
        long[] took = new long[1];
        Thread th = threads().start(() -> {
            ByteBuffer one = ByteBuffer.allocate(1);
            long t0 = System.nanoTime();
            try {
                for (int k = 0; k < n; k++) {
                    long p0 = System.nanoTime();
                    SocketChannel c = s.provider().openSocketChannel();
                    try (c) {
                        c.connect(new InetSocketAddress("192.168.250.2", 7));
                        long p1 = System.nanoTime();
                        c.write(one.clear().put((byte) k).flip());
                        long p2 = System.nanoTime();
                        while (one.clear().hasRemaining() && c.read(one) == 0) { }
                        long p3 = System.nanoTime();
                        if (c.read(one.clear()) >= 0) throw new IllegalStateException("no close");
                        long p4 = System.nanoTime();
                        PHASES[0] += p1 - p0;
                        PHASES[1] += p2 - p1;
                        PHASES[2] += p3 - p2;
                        PHASES[3] += p4 - p3;
                        PHASES[4] -= p4; // + the end of close, below
                    }
                    PHASES[4] += System.nanoTime();
                }
            } catch (Exception e) { e.printStackTrace(); }
            took[0] = System.nanoTime() - t0;
        });
        th.join();
        System.out.printf("%d connections, %.0f /s; client %s%s%n", n, n / (took[0] / 1e9), counts(s.statistics()), threadCounts());
        System.out.printf("client phases, µs per connection: connect %.1f, write %.1f, response %.1f, end %.1f, close %.1f%n",
                PHASES[0] / 1e3 / n, PHASES[1] / 1e3 / n, PHASES[2] / 1e3 / n, PHASES[3] / 1e3 / n, PHASES[4] / 1e3 / n);
        System.exit(0);
    }

    /** The client's time per phase of a connection, summed (nanos): connect, write, response, end, close. */
    static final long[] PHASES = new long[5];

    /** The server's connections served and time per phase, summed (nanos): accept, request, write, close. */
    static final long[] SERVED = new long[5];

    /** Virtual threads, as the bench's; platform ones with -Dchurn.platform=true. */
    static Thread.Builder threads() {
        return Boolean.getBoolean("churn.platform") ? Thread.ofPlatform() : Thread.ofVirtual();
    }

    /**
     * Per group of the JVM's threads (the virtual scheduler's carriers, the stack loop, the JIT
     * and GC, the rest): voluntary and involuntary context switches and CPU ticks (utime + stime, stime apart),
     * from /proc/self/task: where a connection's switches and CPU go (diff two N).
     */
    static String threadCounts() {
        Map<String, long[]> g = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return "";
        for (java.io.File t : tasks) {
            try {
                String comm = java.nio.file.Files.readString(t.toPath().resolve("comm")).strip();
                String group = comm.startsWith("ForkJoinPool") ? "carriers" : comm.startsWith("jnet") || comm.contains("loop") ? "loop:" + comm
                        : comm.startsWith("C1") || comm.startsWith("C2") ? "jit" : comm.startsWith("G1") || comm.startsWith("GC") ? "gc"
                        : comm.replaceAll("\\d+", "#");
                long[] v = g.computeIfAbsent(group, k -> new long[5]);
                for (String line : java.nio.file.Files.readAllLines(t.toPath().resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:")) v[0] += Long.parseLong(line.split("\\s+")[1]);
                    if (line.startsWith("nonvoluntary_ctxt_switches:")) v[1] += Long.parseLong(line.split("\\s+")[1]);
                }
                String st = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                v[2] += Long.parseLong(f[11]);
                v[4] += Long.parseLong(f[12]);
                v[3]++;
            } catch (Exception e) { } // a thread that ended meanwhile
        }
        StringBuilder b = new StringBuilder("threads ");
        g.forEach((k, v) -> b.append(k).append("[").append(v[3]).append("] vol=").append(v[0]).append(" invol=").append(v[1]).append(" ticks=").append(v[2] + v[4]).append(" sys=").append(v[4]).append("; "));
        return b.toString();
    }

    static String counts(Map<String, Long> st) {
        StringBuilder b = new StringBuilder();
        for (String k : new String[] {"Loop.Sleeps", "Loop.LentWaits", "Loop.LentWaitsExpired", "Loop.LentTurns", "Port.SendCalls", "Port.ReceiveCalls", "Eth.InFrames", "Eth.OutFrames"}) {
            b.append(k).append('=').append(st.getOrDefault(k, -1L)).append(' ');
        }
        return b.toString();
    }
}
