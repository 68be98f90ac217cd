package org.jioth.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Pipe} whose bytes stay in a bounded in-memory ring buffer, built on {@link Readiness}:
 * the reference example of a channel pair for {@link ReadinessSelector}. Like a JDK pipe, a
 * blocking write returns once all its bytes are buffered, a write after the source closed fails
 * with "Broken pipe", and a read after the sink closed drains the buffer and then returns -1.
 */
final class MemoryPipe extends Pipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] buffer;
    private int head; // guarded by lock, as are count and the closed flags
    private int count;
    private boolean sourceClosed;
    private boolean sinkClosed;
    private final Source source;
    private final Sink sink;

    MemoryPipe(SelectorProvider provider, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("Pipe capacity must be positive: " + capacity);
        }
        this.buffer = new byte[capacity];
        this.source = new Source(provider);
        this.sink = new Sink(provider);
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }

    /** Moves buffered bytes into {@code dsts}; -1 at end of stream. */
    private long take(ByteBuffer[] dsts, int offset, int length) {
        lock.lock();
        try {
            if (count == 0) {
                return sinkClosed ? -1 : 0;
            }
            long moved = 0;
            for (int i = offset; i < offset + length && count > 0; i++) {
                ByteBuffer dst = dsts[i];
                while (dst.hasRemaining() && count > 0) {
                    int n = Math.min(Math.min(dst.remaining(), count), buffer.length - head);
                    dst.put(buffer, head, n);
                    head = (head + n) % buffer.length;
                    count -= n;
                    moved += n;
                }
            }
            return moved;
        } finally {
            lock.unlock();
        }
    }

    /** Moves bytes from {@code srcs} into free buffer space. */
    private long put(ByteBuffer[] srcs, int offset, int length) throws IOException {
        lock.lock();
        try {
            if (sourceClosed) {
                throw new IOException("Broken pipe");
            }
            long moved = 0;
            for (int i = offset; i < offset + length && count < buffer.length; i++) {
                ByteBuffer src = srcs[i];
                while (src.hasRemaining() && count < buffer.length) {
                    int tail = (head + count) % buffer.length;
                    int n = Math.min(Math.min(src.remaining(), buffer.length - count), buffer.length - tail);
                    src.get(buffer, tail, n);
                    count += n;
                    moved += n;
                }
            }
            return moved;
        } finally {
            lock.unlock();
        }
    }

    private int sourceReadyOps() {
        lock.lock();
        try {
            return count > 0 || sinkClosed ? SelectionKey.OP_READ : 0;
        } finally {
            lock.unlock();
        }
    }

    private int sinkReadyOps() {
        lock.lock();
        try {
            return count < buffer.length || sourceClosed ? SelectionKey.OP_WRITE : 0;
        } finally {
            lock.unlock();
        }
    }

    private static long remaining(ByteBuffer[] bufs, int offset, int length) {
        long r = 0;
        for (int i = offset; i < offset + length; i++) {
            r += bufs[i].remaining();
        }
        return r;
    }

    private final class Source extends Pipe.SourceChannel implements ReadinessSource {
        private final Readiness readiness = new Readiness(this, MemoryPipe.this::sourceReadyOps);
        private final ReentrantLock readLock = new ReentrantLock();

        Source(SelectorProvider provider) {
            super(provider);
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return (int) read(new ByteBuffer[] {dst}, 0, 1);
        }

        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return read(dsts, 0, dsts.length);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, dsts.length);
            readLock.lock();
            try {
                if (!isOpen()) {
                    throw new ClosedChannelException();
                }
                while (true) {
                    long n = take(dsts, offset, length);
                    if (n > 0) {
                        sink.readiness.changed();
                    }
                    if (n != 0 || !isBlocking() || remaining(dsts, offset, length) == 0) {
                        return n;
                    }
                    awaitBlocking(SelectionKey.OP_READ);
                }
            } finally {
                readLock.unlock();
            }
        }

        /** Waits inside begin()/end(), so an interrupt closes the channel as JDK channels do. */
        private void awaitBlocking(int ops) throws IOException {
            boolean completed = false;
            try {
                begin();
                readiness.await(ops);
                completed = true;
            } finally {
                end(completed);
            }
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
            readLock.lock(); // waits for a blocking read in progress, as the JDK does
            readLock.unlock();
        }

        @Override
        protected void implCloseSelectableChannel() {
            lock.lock();
            try {
                sourceClosed = true;
                count = 0; // nobody can read them any more
            } finally {
                lock.unlock();
            }
            readiness.changed();
            sink.readiness.changed();
        }

        @Override
        public String toString() {
            return "MemoryPipe.Source@" + Integer.toHexString(System.identityHashCode(this));
        }
    }

    private final class Sink extends Pipe.SinkChannel implements ReadinessSource {
        private final Readiness readiness = new Readiness(this, MemoryPipe.this::sinkReadyOps);
        private final ReentrantLock writeLock = new ReentrantLock();

        Sink(SelectorProvider provider) {
            super(provider);
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, srcs.length);
            writeLock.lock();
            try {
                if (!isOpen()) {
                    throw new ClosedChannelException();
                }
                long total = 0;
                while (true) {
                    long n = put(srcs, offset, length);
                    if (n > 0) {
                        total += n;
                        source.readiness.changed();
                    }
                    if (!isBlocking() || remaining(srcs, offset, length) == 0) {
                        return total;
                    }
                    awaitBlocking(SelectionKey.OP_WRITE);
                }
            } finally {
                writeLock.unlock();
            }
        }

        private void awaitBlocking(int ops) throws IOException {
            boolean completed = false;
            try {
                begin();
                readiness.await(ops);
                completed = true;
            } finally {
                end(completed);
            }
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
            writeLock.lock();
            writeLock.unlock();
        }

        @Override
        protected void implCloseSelectableChannel() {
            lock.lock();
            try {
                sinkClosed = true;
            } finally {
                lock.unlock();
            }
            readiness.changed();
            source.readiness.changed();
        }

        @Override
        public String toString() {
            return "MemoryPipe.Sink@" + Integer.toHexString(System.identityHashCode(this));
        }
    }
}
