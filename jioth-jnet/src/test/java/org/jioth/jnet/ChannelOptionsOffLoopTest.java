package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.nio.JnetSocketChannel;
import org.jioth.jnet.tcp.TcpConfig;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 (connection setup): the options frameworks set and read on every accepted connection
 * (Netty turns TCP_NODELAY on and reads SO_SNDBUF back) are answered without a round trip to the
 * stack loop, and still reach the connection's config on the loop, in order. Failed first: with
 * the loop busy, {@code setOption}/{@code getOption} waited for it.
 */
class ChannelOptionsOffLoopTest {

    @Test
    void flagsAndTimersNeedNoLoopTripAndStillApply() throws Exception {
        try (TestNet net = new TestNet()) {
            TestNet.Connected tcp = net.connected("", "", 7);
            JnetStack b = tcp.b();
            JnetSocketChannel s = (JnetSocketChannel) tcp.server();

            CountDownLatch loopBusy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            b.post(() -> {
                loopBusy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loopBusy.await();
            CompletableFuture<Object[]> offLoop = CompletableFuture.supplyAsync(() -> {
                try {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true); // unchanged: nothing to post
                    s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                    s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
                    s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
                    return new Object[] {s.getOption(StandardSocketOptions.TCP_NODELAY),
                        s.getOption(StandardSocketOptions.SO_SNDBUF), s.getOption(StandardSocketOptions.SO_RCVBUF),
                        s.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
                        s.getOption(StandardSocketOptions.SO_LINGER)};
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Object[] read;
            try {
                // a deadlock guard, not a timing: with the loop held, a loop trip never returns
                read = offLoop.get(30, TimeUnit.SECONDS);
            } finally {
                release.countDown();
            }
            assertThat(read).containsExactly(true, TcpConfig.DEFAULT_BUFFER, TcpConfig.DEFAULT_BUFFER, 30, -1);
            assertThatThrownBy(() -> s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 0))
                    .isInstanceOf(IllegalArgumentException.class);

            TcpConfig applied = b.onLoop(() -> s.tcpSocket().config());
            assertThat(b.onLoop(() -> applied.noDelay)).isTrue();
            assertThat(b.onLoop(() -> applied.keepAlive)).isTrue();
            assertThat(b.onLoop(() -> applied.keepAliveIdle)).isEqualTo(30_000_000_000L);
            assertThat(b.onLoop(() -> applied.keepAliveCount)).isEqualTo(4);
            assertThat(b.onLoop(() -> applied.keepAliveInterval)).as("the refused value left it alone")
                    .isEqualTo(new TcpConfig().keepAliveInterval);

            s.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertThat(s.getOption(StandardSocketOptions.TCP_NODELAY)).isFalse();
            assertThat(b.onLoop(() -> applied.noDelay)).isFalse();
            s.setOption(StandardSocketOptions.SO_SNDBUF, 50_000); // sizes still go through the loop
            assertThat(s.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(50_000);
            assertThat(b.onLoop(() -> applied.sendBuffer)).isEqualTo(50_000);
            tcp.client().close();
            s.close();
        }
    }
}
