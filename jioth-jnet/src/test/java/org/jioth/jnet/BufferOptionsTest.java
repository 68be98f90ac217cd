package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: SO_RCVBUF/SO_SNDBUF behave as on Linux: settable on a listener and inherited by the
 * channels it accepts (SO_SNDBUF on a listener was UnsupportedOperationException), and SO_SNDBUF
 * set on a connected channel takes effect (it was stored and reported but ignored).
 */
class BufferOptionsTest {

    @Test
    void listenerBuffersAreInheritedAndSndbufAppliesOnAConnection() throws Exception {
        try (TestNet net = new TestNet()) {
            TestNet.Connected tcp = net.connected("", "", 7, ss -> {
                ss.setOption(StandardSocketOptions.SO_SNDBUF, 20_000);
                ss.setOption(StandardSocketOptions.SO_RCVBUF, 30_000);
                assertThat(ss.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(20_000);
            }, c -> c.setOption(StandardSocketOptions.SO_RCVBUF, 4096)); // the client takes little: the server's data waits
            SocketChannel c = tcp.client();
            SocketChannel s = tcp.server();
            assertThat(s.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(20_000);
            assertThat(s.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(30_000);

            s.configureBlocking(false);
            long first = fill(s, net);
            assertThat(first).isBetween(20_000L, 20_000L + 4096 + 1460);
            s.setOption(StandardSocketOptions.SO_SNDBUF, 60_000);
            assertThat(s.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(60_000);
            assertThat(fill(s, net)).as("more room after SO_SNDBUF grew").isGreaterThanOrEqualTo(35_000L);
            c.close();
            s.close();
        }
    }

    private static long fill(SocketChannel s, TestNet net) throws Exception {
        long total = 0;
        ByteBuffer chunk = ByteBuffer.allocate(1000);
        for (int i = 0; i < 1000; i++) {
            int n = s.write(chunk.clear());
            total += n;
            if (n == 0) {
                net.settle(); // the peer's ACKs free what it took
                int m = s.write(chunk.clear());
                if (m == 0) {
                    break;
                }
                total += m;
            }
        }
        return total;
    }
}
