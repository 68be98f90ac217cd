package org.jioth.kernel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.NetConfigException;
import org.jioth.StackBusyException;

/**
 * Runs inside a private namespace (the test starts it under {@code unshare -rn}): configures the
 * namespace through the kernel plug-in's {@link IothStack} and uses it. Exits non-zero with a
 * message on the first thing that is wrong.
 */
public final class KernelStackScenario {
    public static void main(String[] args) throws Exception {
        try (IothStack s = Ioth.newStack("kernel", "vde:///ignored")) {
            check(s.interfaces().stream().filter(IfAddr::isLink).count() == 1, "a fresh namespace has only lo");
            int lo = s.ifNameToIndex("lo");
            check(lo == 1, "lo has index 1, got " + lo);
            s.linkSetUpDown(lo, true);

            int vde0 = addLink(s, "vde0");
            s.linkSetUpDown(vde0, true);
            InetAddress mine = InetAddress.ofLiteral("192.168.250.50");
            s.ipAddrAdd(mine, 24, vde0);
            s.ipRouteAdd(null, 0, InetAddress.ofLiteral("192.168.250.1"));
            try {
                s.ipAddrAdd(mine, 24, vde0);
                fail("adding the address twice should fail");
            } catch (NetConfigException e) {
                check(e.errno().equals("EEXIST"), "second add: " + e.getMessage());
            }
            List<IfAddr> all = s.interfaces();
            System.out.println("interfaces(): " + all);
            check(all.stream().anyMatch(a -> !a.isLink() && a.name().equals("vde0") && a.address().equals(mine)
                    && a.prefixLength() == 24), "vde0 has 192.168.250.50/24");
            check(all.stream().anyMatch(a -> a.isLink() && a.name().equals("vde0") && a.isUp()), "vde0 is up");

            // Sockets of the stack are the JDK's and use the namespace's configuration.
            ServerSocketChannel server = s.provider().openServerSocketChannel();
            server.bind(new InetSocketAddress(mine, 0));
            SocketChannel client = s.provider().openSocketChannel();
            client.connect(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            client.write(ByteBuffer.wrap("ping".getBytes()));
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining()) {
                accepted.read(got);
            }
            check(new String(got.array()).equals("ping"), "data crossed the namespace's stack");
            try {
                s.close();
                fail("close with open sockets should be refused");
            } catch (StackBusyException e) {
                System.out.println("close refused: " + e.getMessage());
            }
            accepted.close();
            client.close();
            server.close();

            s.ipAddrDel(mine, 24, vde0);
            try {
                s.ipAddrDel(mine, 24, vde0);
                fail("deleting a missing address should fail");
            } catch (NetConfigException e) {
                check(e.errno().equals("EADDRNOTAVAIL"), "second delete: " + e.getMessage());
            }
            s.ipLinkDel("vde0", 0);
            try {
                s.ifNameToIndex("vde0");
                fail("vde0 should be gone");
            } catch (NetConfigException e) {
                check(e.errno().equals("ENODEV"), "lookup after delete: " + e.getMessage());
            }
        }
        System.out.println("SCENARIO OK");
    }

    /** A link of the given name: a dummy where the kernel has the driver, else an empty bridge. */
    private static int addLink(IothStack s, String name) throws NetConfigException {
        try {
            return s.ipLinkAdd(name, -1, "dummy", List.of());
        } catch (NetConfigException e) {
            System.out.println("no dummy links here (" + e.errno() + "), using a bridge");
            return s.ipLinkAdd(name, -1, "bridge", List.of());
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            fail("check failed: " + what);
        }
    }

    private static void fail(String message) {
        System.out.println("SCENARIO FAILED: " + message);
        System.exit(1);
    }
}
