package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.VdeTools.waitUntil;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.unix.DatagramBatch;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transmit ring of {@link DatagramLink} against a raw AF_UNIX datagram receiver that the test
 * reads only when it wants: bound and not connected back, as vde_switch's data socket is, so the
 * kernel refuses (EAGAIN) once {@code max_dgram_qlen}+1 datagrams wait. Frames sent while the
 * receiver stalls wait in the ring and all arrive, in order, once it reads again (the reactor
 * pushes them on EPOLLOUT); only frames that find the ring full are dropped and counted; closing
 * drops and counts what still waits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DatagramLinkTransmitTest {
    private static final int RING = 32;

    @TempDir
    Path tmp;
    private UnixSocket receiver;
    private UnixSocket sender;
    private PortStatistics stats;
    private DatagramLink link;

    @BeforeEach
    void connect() throws Exception {
        assumeTrue(NativeSupport.isLinux(), "needs Linux");
        receiver = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        sender = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        String path = tmp.resolve("rx").toString();
        receiver.bind(path);
        sender.connect(path);
        stats = new PortStatistics();
        link = new DatagramLink(sender, Reactor.shared(), stats, "ring-test", RING, RING * 1518);
        link.start();
    }

    @AfterEach
    void close() {
        if (link != null) {
            link.close(null);
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    /** Frame {@code i}: its number at offset 14, then bytes that depend on it. */
    private static ByteBuffer numbered(int i, int size) {
        ByteBuffer f = ByteBuffer.wrap(new byte[size]);
        f.put(Frames.mac("02:00:00:00:00:0b")).put(Frames.mac("02:00:00:00:00:0a")).putShort((short) 0x88b5);
        f.putInt(i);
        while (f.hasRemaining()) {
            f.put((byte) (i * 31 + f.position()));
        }
        return f.flip();
    }

    /** Reads until {@code count} frames came (waiting for each batch) or the timeout passes. */
    private List<byte[]> receive(int count) throws Exception {
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + VdeTools.TIMEOUT.toNanos();
        try (DatagramBatch in = new DatagramBatch(16, EthernetPort.MAX_FRAME)) {
            while (got.size() < count && System.nanoTime() < deadline) {
                int n = in.receive(receiver);
                if (n == 0) {
                    Reactor.shared().awaitReadable(receiver.fd(), Duration.ofSeconds(1));
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    ByteBuffer f = in.frame(i);
                    byte[] b = new byte[f.remaining()];
                    f.get(b);
                    got.add(b);
                }
            }
        }
        return got;
    }

    /** Sends frames 0..total-1 while nobody reads; returns how many the link took (they must be the first ones). */
    private int sendWhileStalled(List<ByteBuffer> frames) {
        int accepted = 0;
        for (int i = 0; i < frames.size(); i++) {
            if (link.send(frames.get(i))) {
                assertThat(accepted).as("frame %d taken after an earlier one was refused", i).isEqualTo(i);
                accepted++;
            }
        }
        return accepted;
    }

    @Test
    void framesSentWhileTheReceiverStallsWaitInTheRingAndAllArriveInOrder() throws Exception {
        int total = 120; // far more than the receiver's queue (11 here) plus the ring (32)
        int[] sizes = {60, 1514, 9234, 18, 64, 1000};
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            frames.add(numbered(i, i < RING ? sizes[i % sizes.length] : 100));
        }
        int accepted = sendWhileStalled(frames);
        assertThat(link.waiting()).as("the ring is full").isEqualTo(RING);
        int inSocket = accepted - RING;
        assertThat(inSocket).as("frames the receiver's socket queue took").isPositive();
        assertThat(stats.framesOut.sum()).isEqualTo(inSocket);
        assertThat(stats.droppedQueueFull.sum()).as("only frames beyond the ring are dropped").isEqualTo(total - accepted);

        List<byte[]> got = receive(accepted); // reading lets the reactor push the ring on EPOLLOUT
        assertThat(got).hasSize(accepted);
        for (int i = 0; i < accepted; i++) {
            ByteBuffer want = frames.get(i);
            assertThat(got.get(i)).as("frame %d", i).isEqualTo(Arrays.copyOf(want.array(), want.limit()));
        }
        waitUntil("the ring to empty", () -> link.waiting() == 0);
        assertThat(stats.framesOut.sum()).isEqualTo(accepted);
        long bytes = 0;
        for (int i = 0; i < accepted; i++) {
            bytes += frames.get(i).remaining();
        }
        assertThat(stats.bytesOut.sum()).isEqualTo(bytes);
        assertThat(stats.droppedQueueFull.sum()).isEqualTo(total - accepted);

        // EPOLLOUT was disarmed and sending goes straight out again
        assertThat(link.send(numbered(total, 80))).isTrue();
        List<byte[]> after = receive(1);
        assertThat(after).hasSize(1);
        assertThat(ByteBuffer.wrap(after.getFirst()).getInt(14)).isEqualTo(total);
        assertThat(stats.droppedQueueFull.sum()).isEqualTo(total - accepted);
    }

    @Test
    void sendCallsAndTheSwitchsRefusalsAreCounted() throws Exception {
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < 3 * RING; i++) {
            frames.add(numbered(i, 100));
        }
        int accepted = sendWhileStalled(frames);
        int inSocket = accepted - RING;
        // one sendmmsg per frame while the socket took them, then the one refused: the ring waits
        // on EPOLLOUT and later sends make no call
        assertThat(stats.sendCalls.sum()).as("sendCalls").isEqualTo(inSocket + 1);
        assertThat(stats.sendRefused.sum()).as("sendRefused").isEqualTo(1);

        assertThat(receive(accepted)).hasSize(accepted);
        waitUntil("the ring to empty", () -> link.waiting() == 0);
        assertThat(stats.sendCalls.sum()).as("the reactor pushed the ring").isGreaterThan(inSocket + 1);
        assertThat(stats.sendRefused.sum()).as("one refusal: the ring waited once, however many pushes it took").isEqualTo(1);
        assertThat(stats.snapshot()).containsKeys("sendCalls", "sendRefused", "receiveCalls");
    }

    @Test
    void closingWithFramesWaitingDropsAndCountsThem() throws Exception {
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(numbered(i, 200));
        }
        int accepted = sendWhileStalled(frames);
        long dropped = stats.droppedQueueFull.sum();
        assertThat(dropped).isEqualTo(100 - accepted);
        assertThat(link.waiting()).isEqualTo(RING);
        link.close(null);
        assertThat(stats.droppedQueueFull.sum()).as("the ring's frames, dropped at close").isEqualTo(dropped + RING);
        assertThat(stats.framesOut.sum()).isEqualTo(accepted - RING);
        assertThat(link.send(numbered(999, 60))).as("a closed link takes nothing").isFalse();
        assertThat(stats.droppedQueueFull.sum()).isEqualTo(dropped + RING + 1);
        assertThat(receive(accepted - RING)).hasSize(accepted - RING); // only what the socket had taken
    }

    @Test
    void queuedFramesWaitForFlushThenGoOutTogetherInOrder() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(link.send(numbered(i, 64), false)).isTrue();
        }
        assertThat(link.waiting()).isEqualTo(5);
        assertThat(stats.framesOut.sum()).as("held until flush").isZero();
        link.flush();
        assertThat(link.waiting()).isZero();
        assertThat(stats.framesOut.sum()).isEqualTo(5);
        List<byte[]> got = receive(5);
        assertThat(got).extracting(b -> ByteBuffer.wrap(b).getInt(14)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void badLengthsAreCountedApartFromQueueDrops() {
        assertThat(link.send(ByteBuffer.allocate(13))).isFalse();
        assertThat(link.send(ByteBuffer.allocate(EthernetPort.MAX_FRAME + 1))).isFalse();
        assertThat(stats.droppedBadLength.sum()).isEqualTo(2);
        assertThat(stats.droppedQueueFull.sum()).isZero();
        assertThat(link.waiting()).isZero();
    }
}
