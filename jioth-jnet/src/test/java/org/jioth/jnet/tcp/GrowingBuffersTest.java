package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: connection rings start at 4 KiB, grow with what they buffer (bytes keep their stream
 * offsets across growth, wrap-around included) up to the capacity, and are given back once empty
 * and unused. Seeded random writes, reads and acknowledgements against a model.
 */
class GrowingBuffersTest {
    static byte at(long off) {
        return (byte) (off * 31 + (off >> 8));
    }

    @Test
    void sendBufferKeepsEveryByteWhileItGrows() {
        SplittableRandom r = new SplittableRandom(11);
        SendBuffer b = new SendBuffer(300_000);
        long written = 0;
        for (int step = 0; step < 5000; step++) {
            int n = r.nextInt(1, 9000);
            ByteBuffer src = ByteBuffer.allocate(n);
            for (int i = 0; i < n; i++) {
                src.put(i, at(written + i));
            }
            written += b.write(src);
            assertThat(b.heldBytes()).isLessThanOrEqualTo(300_000);
            if (b.size() > 0) {
                long from = b.head() + r.nextInt(b.size());
                int len = (int) Math.min(r.nextInt(1, 3000), b.tail() - from);
                ByteBuffer dst = ByteBuffer.allocate(len);
                b.copy(from, dst, 0, len);
                for (int i = 0; i < len; i++) {
                    assertThat(dst.get(i)).isEqualTo(at(from + i));
                }
                b.ackTo(b.head() + r.nextInt(b.size() + 1));
            }
        }
        assertThat(b.heldBytes()).isGreaterThan(Rings.MIN);
        b.ackTo(b.tail());
        b.trim(); // used since the last look: kept
        assertThat(b.trim()).isTrue(); // empty and unused: given back
        assertThat(b.heldBytes()).isZero();
    }

    @Test
    void receiveBufferKeepsInOrderAndParkedBytesWhileItGrows() {
        SplittableRandom r = new SplittableRandom(12);
        ReceiveBuffer b = new ReceiveBuffer(200_000);
        long read = 0;
        ByteBuffer src = ByteBuffer.allocate(200_000);
        for (int step = 0; step < 3000; step++) {
            long base = b.inOrder();
            int room = b.window();
            if (room > 0) {
                // sometimes a segment beyond a hole first, then the one filling it
                int gap = r.nextInt(4) == 0 ? r.nextInt(0, Math.max(1, room / 2)) : 0;
                int len = Math.min(r.nextInt(1, 3000), room - gap);
                if (len > 0) {
                    put(b, src, base + gap, len);
                    if (gap > 0) {
                        put(b, src, base, gap);
                    }
                }
            }
            assertThat(b.heldBytes()).isLessThanOrEqualTo(200_000);
            ByteBuffer dst = ByteBuffer.allocate(r.nextInt(1, 20_000));
            int n = b.read(dst);
            for (int i = 0; i < n; i++) {
                assertThat(dst.get(i)).as("byte %d", read + i).isEqualTo(at(read + i));
            }
            read += n;
        }
        b.read(ByteBuffer.allocate(300_000));
        b.trim();
        assertThat(b.trim()).isTrue();
        assertThat(b.heldBytes()).isZero();
    }

    private static void put(ReceiveBuffer b, ByteBuffer src, long off, int len) {
        for (int i = 0; i < len; i++) {
            src.put(i, at(off + i));
        }
        b.put(off, src, 0, len);
    }

    @Test
    void oneByteTakesASmallRing() {
        ReceiveBuffer b = new ReceiveBuffer(256 * 1024);
        b.put(0, ByteBuffer.wrap(new byte[] {1}), 0, 1);
        assertThat(b.heldBytes()).isEqualTo(Rings.FIRST);
        assertThat(b.window()).isEqualTo(256 * 1024 - 1); // the window still offers the whole buffer
    }
}
