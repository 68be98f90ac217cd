package org.jioth.linux.fdnio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FdServerSocketChannel#acceptQueueFull} follows the kernel's queue of finished connections. */
class AcceptQueueFullTest {
    @Test
    void fullWhenMoreThanTheBacklogWaitAndNotAfterAnAccept() throws Exception {
        FdSelectorProvider p = FdSelectorProvider.local();
        List<SocketChannel> clients = new ArrayList<>();
        try (FdServerSocketChannel listener = (FdServerSocketChannel) p.openServerSocketChannel()) {
            assertThat(listener.acceptQueueFull()).as("unbound").isFalse();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2);
            InetSocketAddress to = (InetSocketAddress) listener.getLocalAddress();
            assertThat(listener.acceptQueueFull()).as("empty").isFalse();
            for (int i = 0; i < 3; i++) { // the kernel queues backlog + 1 finished connections
                clients.add(SocketChannel.open(to));
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!listener.acceptQueueFull() && System.nanoTime() < deadline) {
                Thread.sleep(10); // the last handshake may still be on its way through loopback
            }
            assertThat(listener.acceptQueueFull()).as("3 waiting, backlog 2").isTrue();
            listener.accept().close();
            assertThat(listener.acceptQueueFull()).as("2 waiting").isFalse();
            listener.close();
            assertThat(listener.acceptQueueFull()).as("closed").isFalse();
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }
}
