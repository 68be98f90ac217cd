package org.jioth.jmh;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.wire.Checksum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Internet checksum over a segment (every TCP segment is summed once when sent and once when
 * received): jnet's {@link Checksum#of} against a plain 16-bit-word loop, heap and direct buffers,
 * odd offsets included (frames are not aligned in the ring); the previous array path; and a
 * payload's copy into a frame followed by its sum against the fused {@link Checksum#copyAndAdd}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChecksumBenchmark {
    @Param({"64", "1460", "8960"})
    int length;

    @Param({"heap", "direct"})
    String kind;

    @Param({"0", "1"})
    int offset;

    ByteBuffer buffer;
    /** Where the copy benchmarks write: a heap buffer, as jnet's transmit scratch. */
    ByteBuffer target;

    @Setup
    public void fill() {
        byte[] bytes = new byte[length + offset];
        new SplittableRandom(length).nextBytes(bytes);
        buffer = "heap".equals(kind) ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        target = ByteBuffer.allocate(length + 64);
    }

    @Benchmark
    public int jnet() {
        return Checksum.of(buffer, offset, length);
    }

    /** What a segment's payload costs without fusion: copy it into the frame, then sum it there. */
    @Benchmark
    public int copyThenSum() {
        target.put(54, buffer, offset, length);
        return Checksum.of(target, 54, length);
    }

    /** The same with {@link Checksum#copyAndAdd}: one pass. */
    @Benchmark
    public int copyAndSum() {
        return Checksum.finish(Checksum.copyAndAdd(buffer, offset, target, 54, length, 0));
    }

    /** The array path before 2026-12-05 (two 32-bit-split accumulators, 16 bytes a step), heap only. */
    @Benchmark
    public int previous() {
        if (!buffer.hasArray()) {
            return Checksum.of(buffer, offset, length);
        }
        byte[] a = buffer.array();
        int i = offset;
        int end = offset + length;
        long s1 = 0;
        long s2 = 0;
        while (end - i >= 16) {
            long w = (long) LONGS_LE.get(a, i);
            long v = (long) LONGS_LE.get(a, i + 8);
            s1 += (w >>> 32) + (w & 0xffffffffL);
            s2 += (v >>> 32) + (v & 0xffffffffL);
            i += 16;
        }
        if (end - i >= 8) {
            long w = (long) LONGS_LE.get(a, i);
            s1 += (w >>> 32) + (w & 0xffffffffL);
            i += 8;
        }
        int f = Checksum.fold(s1 + s2);
        long acc = ((f & 0xff) << 8) | (f >>> 8);
        while (end - i >= 2) {
            acc += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            acc += (a[i] & 0xff) << 8;
        }
        return Checksum.finish(acc);
    }

    private static final java.lang.invoke.VarHandle LONGS_LE = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The textbook RFC 1071 loop, as a yardstick. */
    @Benchmark
    public int wordByWord() {
        long sum = 0;
        int end = offset + length - 1;
        int i = offset;
        for (; i < end; i += 2) {
            sum += buffer.getShort(i) & 0xffff;
        }
        if (i == end) {
            sum += (buffer.get(i) & 0xff) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }
}
