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
 * odd offsets included (frames are not aligned in the ring).
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

    @Setup
    public void fill() {
        byte[] bytes = new byte[length + offset];
        new SplittableRandom(length).nextBytes(bytes);
        buffer = "heap".equals(kind) ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Benchmark
    public int jnet() {
        return Checksum.of(buffer, offset, length);
    }

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
