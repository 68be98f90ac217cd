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
                    try (SocketChannel c = ss.accept()) {
                        if (c.read(one.clear()) == 1) {
                            c.write(one.flip());
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            System.out.println("ready");
            System.in.read(); // until stdin closes
            System.out.println("server " + counts(s.statistics()));
            System.exit(0);
        }
        int n = Integer.parseInt(a[2]);
        long[] took = new long[1];
        Thread th = threads().start(() -> {
            ByteBuffer one = ByteBuffer.allocate(1);
            long t0 = System.nanoTime();
            try {
                for (int k = 0; k < n; k++) {
                    try (SocketChannel c = s.provider().openSocketChannel()) {
                        c.connect(new InetSocketAddress("192.168.250.2", 7));
                        c.write(one.clear().put((byte) k).flip());
                        while (one.clear().hasRemaining() && c.read(one) == 0) { }
                        if (c.read(one.clear()) >= 0) throw new IllegalStateException("no close");
                    }
                }
            } catch (Exception e) { e.printStackTrace(); }
            took[0] = System.nanoTime() - t0;
        });
        th.join();
        System.out.printf("%d connections, %.0f /s; client %s%n", n, n / (took[0] / 1e9), counts(s.statistics()));
        System.exit(0);
    }

    /** Virtual threads, as the bench's; platform ones with -Dchurn.platform=true. */
    static Thread.Builder threads() {
        return Boolean.getBoolean("churn.platform") ? Thread.ofPlatform() : Thread.ofVirtual();
    }

    static String counts(Map<String, Long> st) {
        StringBuilder b = new StringBuilder();
        for (String k : new String[] {"Loop.Sleeps", "Loop.LentWaits", "Loop.LentTurns", "Port.SendCalls", "Port.ReceiveCalls", "Eth.InFrames", "Eth.OutFrames"}) {
            b.append(k).append('=').append(st.getOrDefault(k, -1L)).append(' ');
        }
        return b.toString();
    }
}
