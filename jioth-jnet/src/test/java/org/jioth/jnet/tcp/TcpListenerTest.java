package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A listener's queues are bounded whatever backlog the application asks for. */
class TcpListenerTest {
    @Test
    void backlogIsClampedAndBoundsBothQueues() {
        assertThat(TcpListener.clampBacklog(Integer.MAX_VALUE)).isEqualTo(TcpListener.SOMAXCONN);
        assertThat(TcpListener.clampBacklog(0)).isEqualTo(1);
        assertThat(TcpListener.clampBacklog(-7)).isEqualTo(1);
        assertThat(TcpListener.clampBacklog(50)).isEqualTo(50);
        TcpListener l = new TcpListener(new TcpConfig());
        l.backlog = TcpListener.clampBacklog(2);
        assertThat(l.synQueueLimit()).isEqualTo(16);
        assertThat(l.offer(new TcpSocket(new TcpConfig()))).isTrue();
        assertThat(l.acceptQueueFull()).isFalse();
        assertThat(l.offer(new TcpSocket(new TcpConfig()))).isTrue();
        assertThat(l.acceptQueueFull()).isTrue();
        assertThat(l.offer(new TcpSocket(new TcpConfig()))).isFalse();
        assertThat(l.poll()).isNotNull();
        assertThat(l.acceptQueueFull()).isFalse();
        l.backlog = TcpListener.clampBacklog(Integer.MAX_VALUE);
        assertThat(l.synQueueLimit()).isEqualTo(TcpListener.SOMAXCONN);
    }
}
