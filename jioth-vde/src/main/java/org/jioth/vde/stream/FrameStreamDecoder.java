package org.jioth.vde.stream;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * Reassembles frames from the stream framing of vde-protocols.md §12, however the stream splits or
 * coalesces records: feed it chunks as they arrive and it hands every complete frame to a
 * {@link FrameSink} (then {@code endOfBatch()} once per chunk that completed any).
 *
 * <p>Bad input is counted, never thrown: a zero length is skipped (as vdestream does); a record
 * shorter than an Ethernet header is read and dropped; a length above {@link FrameStreamEncoder#MAX_FRAME}
 * means the stream lost its framing, and, as vdestream does, the rest of the current chunk is
 * discarded and decoding restarts at the next chunk with a length prefix. A record contained in one
 * chunk is delivered as a view of that chunk; only records split across chunks are copied, into a
 * buffer allocated once. Not thread-safe: one feeding thread.
 */
public final class FrameStreamDecoder {
    private static final System.Logger LOG = System.getLogger(FrameStreamDecoder.class.getName());

    private final FrameSink sink;
    private final PortStatistics statistics;
    private final byte[] partial = new byte[FrameStreamEncoder.MAX_FRAME];
    private final ByteBuffer partialView = ByteBuffer.wrap(partial);
    /** The first length byte when a chunk ended between the two. */
    private int lengthHigh = -1;
    /** The length of the record being collected into {@link #partial}, or -1 between records. */
    private int expected = -1;
    private int filled;

    private final LongAdder frames = new LongAdder();
    private final LongAdder zeroLength = new LongAdder();
    private final LongAdder shortFrames = new LongAdder();
    private final LongAdder framingErrors = new LongAdder();
    private final LongAdder discardedBytes = new LongAdder();

    public FrameStreamDecoder(FrameSink sink) {
        this(sink, null);
    }

    /**
     * A decoder that also counts into a port's {@code statistics} (short records as
     * {@code droppedBadLength}, framing errors as {@code droppedMalformed}); null for none.
     */
    public FrameStreamDecoder(FrameSink sink, PortStatistics statistics) {
        this.sink = sink;
        this.statistics = statistics;
    }

    /**
     * Consumes every byte of {@code chunk} (position..limit; the position ends at the limit) and
     * delivers the frames it completes. Returns how many were delivered.
     */
    public int feed(ByteBuffer chunk) {
        int delivered = 0;
        while (chunk.hasRemaining()) {
            if (expected < 0) {
                int length;
                if (lengthHigh >= 0) {
                    length = lengthHigh << 8 | chunk.get() & 0xff;
                    lengthHigh = -1;
                } else if (chunk.remaining() >= 2) {
                    length = chunk.getShort() & 0xffff;
                } else {
                    lengthHigh = chunk.get() & 0xff;
                    break;
                }
                if (length == 0) {
                    zeroLength.increment();
                    continue;
                }
                if (length > FrameStreamEncoder.MAX_FRAME) {
                    framingErrors.increment();
                    if (statistics != null) {
                        statistics.droppedMalformed.increment();
                    }
                    discardedBytes.add(chunk.remaining());
                    int bad = length;
                    LOG.log(System.Logger.Level.DEBUG, () -> "stream framing error: record length " + bad
                            + "; discarding the rest of the chunk");
                    chunk.position(chunk.limit());
                    break;
                }
                if (chunk.remaining() >= length) { // the whole record is here: deliver in place
                    int end = chunk.position() + length;
                    int limit = chunk.limit();
                    chunk.limit(end);
                    if (deliver(chunk)) {
                        delivered++;
                    }
                    chunk.limit(limit).position(end);
                    continue;
                }
                expected = length;
                filled = 0;
            }
            int n = Math.min(expected - filled, chunk.remaining());
            chunk.get(partial, filled, n);
            filled += n;
            if (filled == expected) {
                expected = -1;
                if (deliver(partialView.limit(filled).position(0))) {
                    delivered++;
                }
            }
        }
        if (delivered > 0) {
            try {
                sink.endOfBatch();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "frame sink threw at end of batch", e);
            }
        }
        return delivered;
    }

    private boolean deliver(ByteBuffer frame) {
        if (frame.remaining() < EthernetPort.MIN_FRAME) {
            shortFrames.increment();
            if (statistics != null) {
                statistics.droppedBadLength.increment();
            }
            return false;
        }
        frames.increment();
        try {
            sink.frame(frame);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "frame sink threw; frame lost", e);
        }
        return true;
    }

    /** True when the bytes fed so far end inside a record (a truncated stream if it ends now). */
    public boolean inRecord() {
        return expected >= 0 || lengthHigh >= 0;
    }

    /** Frames delivered. */
    public long frames() {
        return frames.sum();
    }

    /** Zero-length records skipped. */
    public long zeroLengthRecords() {
        return zeroLength.sum();
    }

    /** Records of 1..13 bytes, dropped. */
    public long shortFrames() {
        return shortFrames.sum();
    }

    /** Length prefixes above the largest frame: each discarded the rest of its chunk. */
    public long framingErrors() {
        return framingErrors.sum();
    }

    /** Bytes thrown away after framing errors. */
    public long discardedBytes() {
        return discardedBytes.sum();
    }
}
