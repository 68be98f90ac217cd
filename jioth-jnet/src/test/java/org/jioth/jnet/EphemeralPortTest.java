package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ephemeral ports walk the range in random steps (RFC 6056 algorithm 5), so a port just released is not picked again at once. */
class EphemeralPortTest {
    final TestNet net = new TestNet();

    @AfterEach
    void tearDown() throws Exception {
        net.close();
    }

    @Test
    void aReleasedPortIsNotPickedAgainWithinTheNextFiftyBinds() throws Exception {
        JnetStack s = net.stack("", net.newSwitch(), "10.4.0.1/24");
        Deque<Integer> recent = new ArrayDeque<>();
        for (int i = 0; i < 400; i++) {
            int port;
            try (SocketChannel c = s.provider().openSocketChannel()) {
                c.bind(new InetSocketAddress("10.4.0.1", 0));
                port = ((InetSocketAddress) c.getLocalAddress()).getPort();
            }
            assertThat(port).isBetween(32768, 60999);
            // steps of at most 500 over 28,232 ports: at least 56 picks before the walk wraps
            assertThat(recent).as("pick %d", i).doesNotContain(port);
            recent.addLast(port);
            if (recent.size() > 50) {
                recent.removeFirst();
            }
        }
    }

    /**
     * Issue 11: with every ephemeral port taken, connect fails as on Linux with EADDRNOTAVAIL,
     * "Cannot assign requested address" (FAILED before: Address already in use, EADDRINUSE).
     */
    @Test
    void connectWithNoEphemeralPortLeftCannotAssignTheAddress() throws Exception {
        JnetStack s = net.stack("", net.newSwitch(), "10.4.0.1/24");
        int range = org.jioth.jnet.tcp.TcpLayer.EPHEMERAL_HIGH - org.jioth.jnet.tcp.TcpLayer.EPHEMERAL_LOW + 1;
        java.util.List<SocketChannel> held = new java.util.ArrayList<>(range);
        try {
            for (int i = 0; i < range; i++) {
                SocketChannel c = s.provider().openSocketChannel();
                held.add(c);
                c.bind(new InetSocketAddress("10.4.0.1", 0));
            }
            try (SocketChannel c = s.provider().openSocketChannel()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> c.connect(new InetSocketAddress("10.4.0.2", 80)))
                        .isInstanceOf(java.net.BindException.class) // as the JDK's for EADDRNOTAVAIL
                        .hasMessageContaining("Cannot assign requested address (EADDRNOTAVAIL)");
            }
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
        }
    }
}
