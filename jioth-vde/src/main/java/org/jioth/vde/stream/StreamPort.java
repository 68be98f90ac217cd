package org.jioth.vde.stream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.portsupport.FrameDelivery;

/**
 * An {@link EthernetPort} over a pair of byte streams in the framing of vde-protocols.md §12: what
 * vde_plug speaks on its stdin/stdout and what {@code cmd://} speaks with its command. Frames read
 * from {@code in} are delivered to the sink; sent frames are encoded into a bounded queue (a full
 * queue drops and counts) that a writer thread drains to {@code out}, flushing whenever the queue
 * runs dry. Both threads are platform threads, since the streams block in native reads and writes.
 * The port {@link #hasEnded() ends} at end of input or when output fails.
 */
public final class StreamPort implements EthernetPort {
    private static final System.Logger LOG = System.getLogger(StreamPort.class.getName());
    /** Frames queued for output before sends are dropped. */
    public static final int DEFAULT_QUEUE = 512;
    private static final int CHUNK = 64 * 1024;

    private final String description;
    private final InputStream in;
    private final OutputStream out;
    private final PortStatistics statistics = new PortStatistics();
    private final RecordQueue queue;
    private final FrameStreamDecoder decoder;
    private final Thread reader;
    private final Thread writer;
    private volatile FrameSink sink;
    private volatile boolean ended;
    private volatile boolean closed;

    private StreamPort(String description, InputStream in, OutputStream out, int queueFrames) {
        this.description = description;
        this.in = in;
        this.out = out;
        this.queue = new RecordQueue(queueFrames);
        this.decoder = new FrameStreamDecoder(new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                FrameDelivery.deliver(sink, frame, statistics, description);
            }

            @Override
            public void endOfBatch() {
                FrameDelivery.endOfBatch(sink, description);
            }
        }, statistics);
        this.reader = Thread.ofPlatform().daemon().name("jioth-stream-rx " + description).unstarted(this::readLoop);
        this.writer = Thread.ofPlatform().daemon().name("jioth-stream-tx " + description).unstarted(this::writeLoop);
    }

    /** Starts a port reading {@code in} and writing {@code out}; closing the port closes both. */
    public static StreamPort open(String description, InputStream in, OutputStream out) {
        return open(description, in, out, DEFAULT_QUEUE);
    }

    /** As {@link #open(String, InputStream, OutputStream)} with a queue of {@code queueFrames} frames. */
    public static StreamPort open(String description, InputStream in, OutputStream out, int queueFrames) {
        StreamPort p = new StreamPort(description, in, out, queueFrames);
        p.reader.start();
        p.writer.start();
        return p;
    }

    private void readLoop() {
        byte[] buf = new byte[CHUNK];
        ByteBuffer view = ByteBuffer.wrap(buf);
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                decoder.feed(view.clear().limit(n));
            }
            if (decoder.inRecord()) {
                statistics.droppedMalformed.increment(); // the stream ended inside a record
            }
            LOG.log(System.Logger.Level.DEBUG, () -> description + ": end of input");
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, () -> description + ": input failed: " + e.getMessage());
            }
        } finally {
            ended = true;
        }
    }

    private void writeLoop() {
        try (OutputStream o = new BufferedOutputStream(out, CHUNK)) {
            while (true) {
                int i = queue.head();
                if (i < 0) {
                    o.flush(); // the queue ran dry: push what was coalesced
                    i = queue.awaitHead();
                    if (i < 0) {
                        return; // closed and drained
                    }
                }
                o.write(queue.slot(i), 0, queue.length(i));
                queue.pop();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, () -> description + ": output failed: " + e.getMessage());
            }
            ended = true;
            queue.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean send(ByteBuffer frame) {
        if (!FrameDelivery.checkSendLength(frame, statistics)) {
            return false;
        }
        int length = frame.remaining();
        if (!queue.offer(frame)) {
            statistics.droppedQueueFull.increment(); // full, or the output is gone
            return false;
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(length);
        return true;
    }

    @Override
    public void setSink(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    /** The decoder's counters (zero-length records, framing errors, discarded bytes). */
    public FrameStreamDecoder decoder() {
        return decoder;
    }

    @Override
    public String description() {
        return description;
    }

    /** True once the input ended or the output failed. */
    @Override
    public boolean hasEnded() {
        return ended;
    }

    /**
     * Writes out what is queued (waiting at most a few seconds), then closes both streams. A reader
     * blocked on a stream that does not wake on close (a terminal) is left to end with the JVM.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        queue.close();
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } finally {
            in.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
