package org.jioth.linux.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SendRing} against a real receiver: a bound datagram socket that the sender is connected to
 * but that is not connected back, so the kernel refuses with EAGAIN once its queue holds
 * {@code max_dgram_qlen}+1 datagrams (as with vde_switch's data socket), and reading k of them makes
 * room for exactly k.
 */
class SendRingTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        assumeTrue(NativeSupport.isLinux(), "AF_UNIX bindings need Linux");
    }

    /** A frame of {@code size} bytes starting with {@code label}. */
    private static ByteBuffer frame(String label, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(label.getBytes(StandardCharsets.US_ASCII));
        return b.clear();
    }

    private static String label(ByteBuffer b, int n) {
        byte[] a = new byte[n];
        b.get(0, a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    /** A receiver bound in the temp dir and a sender connected to it; the filler count is how many the queue took. */
    private record Link(UnixSocket receiver, UnixSocket sender, int filled) implements AutoCloseable {
        @Override
        public void close() {
            sender.close();
            receiver.close();
        }

        /** Reads up to {@code n} datagrams; their 2-letter labels. */
        List<String> read(int n) throws ErrnoException {
            List<String> got = new ArrayList<>();
            ByteBuffer b = ByteBuffer.allocate(256);
            while (got.size() < n && receiver.receive(b.clear()) >= 0) {
                got.add(label(b, 2));
            }
            return got;
        }
    }

    /** Fills the receiver's queue with "F." datagrams until the kernel refuses the next one. */
    private Link fullLink() throws ErrnoException {
        UnixSocket r = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        UnixSocket s = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        String path = dir.resolve("rx").toString();
        r.bind(path);
        s.connect(path);
        int filled = 0;
        while (filled < 100_000 && s.send(frame("F.", 50)) > 0) {
            filled++;
        }
        assertThat(filled).as("the receiver's queue filled").isBetween(1, 99_999);
        return new Link(r, s, filled);
    }

    @Test
    void keepsWhatTheSocketRefusesAndSendsItLaterInOrderAcrossTheWrap() throws Exception {
        try (Link l = fullLink(); SendRing ring = new SendRing(4, 200)) {
            for (int i = 0; i < 4; i++) {
                assertThat(ring.offer(frame("A" + i, 50))).isTrue();
            }
            assertThat(ring.offer(frame("A4", 14))).as("4 slots").isFalse();
            assertThat(ring.send(l.sender())).as("the socket is full").isZero();
            assertThat(ring.size()).isEqualTo(4);
            assertThat(ring.bytes()).isEqualTo(200);

            assertThat(l.read(2)).containsOnly("F.");
            assertThat(ring.send(l.sender())).as("room for two").isEqualTo(2);
            assertThat(ring.lastSentBytes()).isEqualTo(100);
            assertThat(ring.size()).isEqualTo(2);

            // the bytes behind A3 end at the buffer's end: A4 and A5 go to the start (the wrap)
            assertThat(ring.offer(frame("A4", 50))).isTrue();
            assertThat(ring.offer(frame("A5", 50))).isTrue();
            assertThat(ring.offer(frame("A6", 14))).isFalse();

            List<String> got = new ArrayList<>(l.read(l.filled()));
            int sent = ring.send(l.sender()); // two runs: slots 2..3, then 0..1
            assertThat(sent).isEqualTo(4);
            assertThat(ring.isEmpty()).isTrue();
            assertThat(ring.bytes()).isZero();
            got.addAll(l.read(100));
            assertThat(got.subList(got.size() - 6, got.size())).containsExactly("A0", "A1", "A2", "A3", "A4", "A5");
            assertThat(got.subList(0, got.size() - 6)).containsOnly("F.");
        }
    }

    @Test
    void boundedByBytesAsWellAsSlotsAndAFrameNeverStraddlesTheEnd() throws Exception {
        try (Link l = fullLink(); SendRing ring = new SendRing(8, 100)) {
            assertThat(ring.offer(frame("B0", 60))).isTrue();
            assertThat(ring.offer(frame("B1", 60))).as("100 bytes").isFalse();
            assertThat(ring.offer(frame("B1", 40))).isTrue();
            assertThat(ring.offer(frame("XX", 101))).isFalse();
            l.read(1);
            assertThat(ring.send(l.sender())).isEqualTo(1); // B0 out: [0,60) free, B1 at [60,100)
            assertThat(ring.offer(frame("B2", 61))).as("does not fit before B1").isFalse();
            assertThat(ring.offer(frame("B2", 60))).isTrue();
            l.read(100);
            assertThat(ring.send(l.sender())).isEqualTo(2);
            assertThat(l.read(100)).containsExactly("B1", "B2");
            // empty again: a frame as large as the whole buffer fits
            assertThat(ring.offer(frame("B3", 100))).isTrue();
            assertThat(ring.clear()).isEqualTo(1);
            assertThat(ring.send(l.sender())).isZero();
        }
    }

    @Test
    void aGoneReceiverIsAnErrorAndTheFramesStayForTheOwner() throws Exception {
        UnixSocket r = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        UnixSocket s = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        try (s; SendRing ring = new SendRing(4, 400)) {
            String path = dir.resolve("gone").toString();
            r.bind(path);
            s.connect(path);
            r.close();
            ring.offer(frame("C0", 50));
            assertThatThrownBy(() -> ring.send(s)).isInstanceOf(ErrnoException.class);
            assertThat(ring.size()).isEqualTo(1);
            assertThat(ring.clear()).isEqualTo(1);
        }
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(() -> new SendRing(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendRing(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
