package org.jioth.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The java.net adapters over a provider's channels, on the JDK's own provider (what the kernel
 * plug-in hands out), compared where it matters with the JDK's own sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketAdaptersTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final SelectorProvider provider = SelectorProvider.provider();
    private final SocketFactory sockets = new ChannelSocketFactory(provider);
    private final ServerSocketFactory servers = new ChannelServerSocketFactory(provider);
    /** Own threads: the common pool may have one worker on two cores, and these tasks block. */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocket server;

    @BeforeEach
    void listen() throws IOException {
        server = servers.createServerSocket(0, 10, LOOPBACK);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    @Test
    void serverSocketIsBoundWhereAsked() {
        assertThat(server).isInstanceOf(ChannelServerSocket.class);
        assertThat(server.isBound()).isTrue();
        assertThat(server.getLocalPort()).isPositive();
        assertThat(server.getInetAddress()).isEqualTo(LOOPBACK);
        assertThat(((ChannelServerSocket) server).channel().isOpen()).isTrue();
    }

    @Test
    void bytesFlowBothWaysByteExactWithAddressesReported() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(payload);
        CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
            try (Socket peer = server.accept()) {
                assertThat(peer).isInstanceOf(ChannelSocket.class);
                assertThat(peer.isConnected()).isTrue();
                byte[] got = peer.getInputStream().readAllBytes();
                peer.getOutputStream().write(got);
                return got;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, threads);
        try (Socket s = sockets.createSocket(LOOPBACK, server.getLocalPort())) {
            assertThat(s.isConnected()).isTrue();
            assertThat(s.getInetAddress()).isEqualTo(LOOPBACK);
            assertThat(s.getPort()).isEqualTo(server.getLocalPort());
            assertThat(s.getLocalPort()).isPositive();
            assertThat(s.getLocalAddress()).isEqualTo(LOOPBACK);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(payload);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, threads);
            byte[] back = s.getInputStream().readAllBytes();
            writer.get(30, TimeUnit.SECONDS);
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(payload);
            assertThat(back).isEqualTo(payload);
            assertThat(s.isOutputShutdown()).isTrue();
        }
    }

    @Test
    void readTimeoutRaisesSocketTimeoutExceptionAndTheSocketStaysUsable() throws Exception {
        try (Socket s = sockets.createSocket(LOOPBACK, server.getLocalPort()); Socket peer = server.accept()) {
            s.setSoTimeout(200);
            assertThat(s.getSoTimeout()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.getInputStream().read())
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            peer.getOutputStream().write(7);
            assertThat(s.getInputStream().read()).isEqualTo(7);
            s.getOutputStream().write(new byte[] {1, 2, 3});
            byte[] three = new byte[3];
            InputStream pin = peer.getInputStream();
            assertThat(pin.readNBytes(three, 0, 3)).isEqualTo(3);
            assertThat(three).containsExactly(1, 2, 3);
        }
    }

    @Test
    void acceptTimeoutRaisesSocketTimeoutException() throws IOException {
        server.setSoTimeout(150);
        assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        try (Socket s = sockets.createSocket(LOOPBACK, server.getLocalPort()); Socket peer = server.accept()) {
            assertThat(peer.getPort()).isEqualTo(s.getLocalPort());
        }
    }

    @Test
    void closingFromAnotherThreadUnblocksABlockedRead() throws Exception {
        for (int timeout : new int[] {0, 30_000}) {
            try (Socket s = sockets.createSocket(LOOPBACK, server.getLocalPort()); Socket peer = server.accept()) {
                s.setSoTimeout(timeout);
                CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        s.getInputStream().read();
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                }, threads);
                Thread.sleep(100);
                s.close();
                assertThat(reader.get(60, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
                assertThat(s.isClosed()).isTrue();
            }
        }
    }

    @Test
    void closingTheServerSocketUnblocksAccept() throws Exception {
        CompletableFuture<Throwable> acceptor = CompletableFuture.supplyAsync(() -> {
            try {
                server.accept();
                return null;
            } catch (IOException e) {
                return e;
            }
        }, threads);
        Thread.sleep(100);
        server.close();
        assertThat(acceptor.get(60, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
    }

    @Test
    void connectionRefusedIsAConnectException() throws IOException {
        int port;
        try (ServerSocket tmp = new ServerSocket(0, 1, LOOPBACK)) {
            port = tmp.getLocalPort();
        }
        assertThatThrownBy(() -> sockets.createSocket(LOOPBACK, port))
                .isInstanceOf(java.net.ConnectException.class);
        Socket s = sockets.createSocket();
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(LOOPBACK, port), 2000))
                .isInstanceOf(java.net.ConnectException.class);
        s.close();
    }

    @Test
    void optionsReachTheChannel() throws IOException {
        try (Socket s = sockets.createSocket(LOOPBACK, server.getLocalPort()); Socket peer = server.accept()) {
            ChannelSocket cs = (ChannelSocket) s;
            s.setTcpNoDelay(true);
            assertThat(s.getTcpNoDelay()).isTrue();
            assertThat(cs.channel().getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            s.setKeepAlive(true);
            assertThat(s.getKeepAlive()).isTrue();
            s.setSoLinger(true, 3);
            assertThat(s.getSoLinger()).isEqualTo(3);
            s.setSoLinger(false, 0);
            assertThat(s.getSoLinger()).isEqualTo(-1);
            s.setReceiveBufferSize(65536);
            assertThat(s.getReceiveBufferSize()).isPositive();
            s.setOption(StandardSocketOptions.SO_SNDBUF, 32768);
            assertThat(s.getOption(StandardSocketOptions.SO_SNDBUF)).isPositive();
            assertThat(s.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY);
            assertThatThrownBy(() -> s.sendUrgentData(1)).isInstanceOf(SocketException.class);
        }
    }

    @Test
    void unconnectedSocketBindsThenConnects() throws IOException {
        try (Socket s = sockets.createSocket()) {
            assertThat(s.isConnected()).isFalse();
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            int local = s.getLocalPort();
            assertThat(local).isPositive();
            s.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 5000);
            try (Socket peer = server.accept()) {
                assertThat(peer.getPort()).isEqualTo(local);
            }
        }
    }
}
