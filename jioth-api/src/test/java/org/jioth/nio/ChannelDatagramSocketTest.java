package org.jioth.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DatagramSocket adapter over the JDK's own DatagramChannel, talking to a plain JDK DatagramSocket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelDatagramSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static ChannelDatagramSocket adapter() throws Exception {
        return new ChannelDatagramSocket(DatagramChannel.open());
    }

    @Test
    void sendsAndReceivesWithAddressesLikeTheJdkSocket() throws Exception {
        try (ChannelDatagramSocket ours = adapter(); DatagramSocket jdk = new DatagramSocket(0, LOOPBACK)) {
            assertThat(ours.isBound()).isFalse();
            ours.bind(new InetSocketAddress(LOOPBACK, 0));
            assertThat(ours.isBound()).isTrue();
            assertThat(ours.getLocalPort()).isPositive();
            assertThat(ours.getLocalAddress()).isEqualTo(LOOPBACK);

            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            ours.send(new DatagramPacket(hello, hello.length, jdk.getLocalSocketAddress()));
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            jdk.receive(in);
            assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(in.getPort()).isEqualTo(ours.getLocalPort());

            byte[] back = "back at you".getBytes(StandardCharsets.UTF_8);
            jdk.send(new DatagramPacket(back, back.length, ours.getLocalSocketAddress()));
            DatagramPacket mine = new DatagramPacket(new byte[64], 3, 50); // offset 3, room for 50
            ours.receive(mine);
            assertThat(mine.getLength()).isEqualTo(back.length);
            assertThat(new String(mine.getData(), 3, mine.getLength(), StandardCharsets.UTF_8)).isEqualTo("back at you");
            assertThat(mine.getSocketAddress()).isEqualTo(jdk.getLocalSocketAddress());
        }
    }

    @Test
    void truncatesToThePacketLength() throws Exception {
        try (ChannelDatagramSocket ours = adapter(); DatagramSocket jdk = new DatagramSocket(0, LOOPBACK)) {
            ours.bind(new InetSocketAddress(LOOPBACK, 0));
            byte[] ten = "0123456789".getBytes(StandardCharsets.UTF_8);
            jdk.send(new DatagramPacket(ten, ten.length, ours.getLocalSocketAddress()));
            DatagramPacket small = new DatagramPacket(new byte[4], 4);
            ours.receive(small);
            assertThat(small.getLength()).isEqualTo(4);
            assertThat(new String(small.getData(), StandardCharsets.UTF_8)).isEqualTo("0123");
        }
    }

    @Test
    void connectedSocketSendsWithoutAddressAndRefusesOthers() throws Exception {
        try (ChannelDatagramSocket ours = adapter(); DatagramSocket jdk = new DatagramSocket(0, LOOPBACK)) {
            ours.connect(jdk.getLocalSocketAddress());
            assertThat(ours.isConnected()).isTrue();
            assertThat(ours.getInetAddress()).isEqualTo(LOOPBACK);
            assertThat(ours.getPort()).isEqualTo(jdk.getLocalPort());
            ours.send(new DatagramPacket(new byte[] {1, 2, 3}, 3));
            DatagramPacket in = new DatagramPacket(new byte[10], 10);
            jdk.receive(in);
            assertThat(in.getLength()).isEqualTo(3);
            assertThatThrownBy(() -> ours.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK, 9))))
                    .isInstanceOf(IllegalArgumentException.class);
            ours.disconnect();
            assertThat(ours.isConnected()).isFalse();
            assertThat(ours.getPort()).isEqualTo(-1);
        }
    }

    @Test
    void receiveTimesOutWithSoTimeoutAndThenStillWorks() throws Exception {
        try (ChannelDatagramSocket ours = adapter(); DatagramSocket jdk = new DatagramSocket(0, LOOPBACK)) {
            ours.bind(new InetSocketAddress(LOOPBACK, 0));
            ours.setSoTimeout(150);
            assertThat(ours.getSoTimeout()).isEqualTo(150);
            assertThatThrownBy(() -> ours.receive(new DatagramPacket(new byte[10], 10)))
                    .isInstanceOf(SocketTimeoutException.class);
            jdk.send(new DatagramPacket(new byte[] {9}, 1, ours.getLocalSocketAddress()));
            DatagramPacket in = new DatagramPacket(new byte[10], 10);
            ours.receive(in);
            assertThat(in.getData()[0]).isEqualTo((byte) 9);
        }
    }

    @Test
    void closeUnblocksAReceiverWithAndWithoutTimeout() throws Exception {
        for (int timeout : new int[] {0, 30_000}) {
            ChannelDatagramSocket ours = adapter();
            ours.bind(new InetSocketAddress(LOOPBACK, 0));
            ours.setSoTimeout(timeout);
            CompletableFuture<Throwable> receiver = CompletableFuture.supplyAsync(() -> {
                try {
                    ours.receive(new DatagramPacket(new byte[10], 10));
                    return null;
                } catch (Exception e) {
                    return e;
                }
            }, threads);
            Thread.sleep(100);
            ours.close();
            assertThat(receiver.get(60, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
            assertThat(ours.isClosed()).isTrue();
            assertThat(ours.getLocalPort()).isEqualTo(-1);
        }
    }

    @Test
    void optionsReachTheChannel() throws Exception {
        try (ChannelDatagramSocket ours = adapter()) {
            ours.setBroadcast(true);
            assertThat(ours.getBroadcast()).isTrue();
            ours.setReuseAddress(true);
            assertThat(ours.getReuseAddress()).isTrue();
            ours.setReceiveBufferSize(65536);
            assertThat(ours.getReceiveBufferSize()).isPositive();
            ours.setTrafficClass(0x10);
            assertThat(ours.getChannel()).isNotNull();
            ours.close();
            assertThatThrownBy(() -> ours.setBroadcast(false)).isInstanceOf(SocketException.class);
        }
    }
}
