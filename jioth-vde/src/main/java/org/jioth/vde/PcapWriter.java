package org.jioth.vde;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Writes frames in the classic libpcap file format (little-endian, nanosecond timestamps: magic
 * {@code 0xa1b23c4d}, version 2.4, link type 1 = Ethernet), readable by tcpdump, tshark and
 * Wireshark. Records are assembled in one reusable buffer, so writing allocates nothing. Frames
 * longer than the snap length are cut and keep their original length in the record. Thread-safe.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int DEFAULT_SNAP_LENGTH = 262144;
    private static final int RECORD_HEADER = 16;

    private final WritableByteChannel out;
    private final int snapLength;
    private final InstantSource clock;
    private final ByteBuffer buffer;
    private long records;

    public PcapWriter(WritableByteChannel out, int snapLength, InstantSource clock) throws IOException {
        if (snapLength < 1) {
            throw new IllegalArgumentException("snap length must be positive: " + snapLength);
        }
        this.out = out;
        this.snapLength = snapLength;
        this.clock = clock;
        this.buffer = ByteBuffer.allocate(64 * 1024 + RECORD_HEADER + Math.min(snapLength, EthernetPort.MAX_FRAME))
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC_NANOSECONDS).putShort((short) 2).putShort((short) 4)
                .putInt(0) // thiszone
                .putInt(0) // sigfigs
                .putInt(snapLength).putInt(LINKTYPE_ETHERNET);
        flush();
    }

    public PcapWriter(WritableByteChannel out) throws IOException {
        this(out, DEFAULT_SNAP_LENGTH, InstantSource.system());
    }

    /** Records {@code frame} (position..limit, position unchanged) with the clock's time. */
    public void write(ByteBuffer frame) throws IOException {
        Instant now = clock.instant();
        write(frame, now.getEpochSecond(), now.getNano());
    }

    /** Records {@code frame} at {@code epochSeconds} + {@code nanos}. */
    public synchronized void write(ByteBuffer frame, long epochSeconds, int nanos) throws IOException {
        int len = frame.remaining();
        int captured = Math.min(len, snapLength);
        if (buffer.remaining() < RECORD_HEADER + captured) {
            flush();
        }
        if (buffer.remaining() < RECORD_HEADER + captured) { // larger than the buffer: write it alone
            ByteBuffer big = ByteBuffer.allocate(RECORD_HEADER + captured).order(ByteOrder.LITTLE_ENDIAN);
            header(big, epochSeconds, nanos, captured, len).put(frame.slice(frame.position(), captured)).flip();
            writeFully(big);
        } else {
            header(buffer, epochSeconds, nanos, captured, len);
            buffer.put(buffer.position(), frame, frame.position(), captured);
            buffer.position(buffer.position() + captured);
        }
        records++;
    }

    private static ByteBuffer header(ByteBuffer b, long seconds, int nanos, int captured, int len) {
        return b.putInt((int) seconds).putInt(nanos).putInt(captured).putInt(len);
    }

    /** Records written so far. */
    public synchronized long records() {
        return records;
    }

    /** Writes buffered records out. */
    public synchronized void flush() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /**
     * A port that records every frame {@code port} sends and receives here before passing it on.
     * Closing the returned port closes {@code port}; the writer stays open (flush and close it).
     */
    public EthernetPort capture(EthernetPort port) {
        return new CapturingPort(port, this);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }

    /** See {@link PcapWriter#capture}. */
    private static final class CapturingPort implements EthernetPort {
        private static final System.Logger LOG = System.getLogger(CapturingPort.class.getName());
        private final EthernetPort port;
        private final PcapWriter pcap;

        CapturingPort(EthernetPort port, PcapWriter pcap) {
            this.port = port;
            this.pcap = pcap;
        }

        @Override
        public boolean send(ByteBuffer frame) throws IOException {
            record(frame);
            return port.send(frame);
        }

        @Override
        public void flush() {
            port.flush(); // a batching port keeps batching under capture
        }

        @Override
        public int ingressQueueFrames() {
            return port.ingressQueueFrames();
        }

        private void record(ByteBuffer frame) {
            try {
                pcap.write(frame);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "capture of " + port.description() + " failed: " + e.getMessage());
            }
        }

        @Override
        public void setSink(FrameSink sink) {
            if (sink == null) {
                port.setSink(null);
                return;
            }
            port.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    record(frame);
                    sink.frame(frame);
                }

                @Override
                public void endOfBatch() {
                    sink.endOfBatch();
                }
            });
        }

        @Override
        public PortStatistics statistics() {
            return port.statistics();
        }

        @Override
        public String description() {
            return port.description() + " (captured)";
        }

        @Override
        public void close() throws IOException {
            port.close();
        }
    }
}
