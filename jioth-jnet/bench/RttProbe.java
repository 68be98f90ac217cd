// A throwaway probe (not built by Maven): run with bench/rtt-probe.sh; see docs/benchmarks.md, lane hop.
import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.Arrays;
import org.jioth.jnet.JnetStack;

/** server: RttProbe server SW ; client: RttProbe client SW N  (1-byte echo round trips, jnet on vde). */
public class RttProbe {
    public static void main(String[] a) throws Exception {
        boolean server = a[0].equals("server");
        JnetStack s = JnetStack.builder().options("seed=" + (server ? 2 : 1)).vnl("vde0:vde://" + a[1]).build();
        int i = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(i, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(server ? "192.168.250.2" : "192.168.250.1"), 24, i);
        if (server) {
            ServerSocketChannel ss = s.provider().openServerSocketChannel();
            ss.bind(new InetSocketAddress("0.0.0.0", 7));
            System.out.println("ready");
            while (true) {
                SocketChannel c = ss.accept();
                Thread.ofVirtual().start(() -> {
                    ByteBuffer b = ByteBuffer.allocate(4096);
                    try {
                        while (c.read(b.clear()) > 0) {
                            b.flip();
                            while (b.hasRemaining()) c.write(b);
                        }
                        c.close();
                    } catch (Exception e) { }
                });
            }
        }
        int n = Integer.parseInt(a[2]);
        long[] t = new long[n];
        long[] ok = new long[1];
        Thread th = Thread.ofVirtual().start(() -> {
            try (SocketChannel c = s.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress("192.168.250.2", 7));
                ByteBuffer b = ByteBuffer.allocate(1);
                for (int r = 0; r < n; r++) {
                    long t0 = System.nanoTime();
                    b.clear(); c.write(b);
                    b.clear(); if (c.read(b) != 1) throw new RuntimeException("short");
                    t[r] = System.nanoTime() - t0;
                }
                ok[0] = 1;
            } catch (Exception e) { e.printStackTrace(); }
        });
        th.join();
        long[] w = Arrays.copyOfRange(t, n / 2, n);
        Arrays.sort(w);
        var st = s.statistics();
        System.out.printf("rtt median %.1f us p99 %.1f us (second half of %d) lent=%d sleeps=%d lentWaits=%d sends=%d receives=%d%n", w[w.length / 2] / 1e3, w[w.length * 99 / 100] / 1e3, n, lent(s),
                st.getOrDefault("Loop.Sleeps", -1L), st.getOrDefault("Loop.LentWaits", -1L), st.getOrDefault("Port.SendCalls", -1L), st.getOrDefault("Port.ReceiveCalls", -1L));
        System.exit(0);
    }
    static long lent(JnetStack s) { try { var m = JnetStack.class.getDeclaredMethod("loop"); m.setAccessible(true); Object l = m.invoke(s); return (Long) l.getClass().getMethod("lentTurns").invoke(l); } catch (Throwable e) { return -1; } }
}
