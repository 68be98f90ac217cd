package org.jioth.nio;

import java.nio.channels.Pipe;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * A provider whose selectors are {@link ReadinessSelector}s and whose pipes live in memory: the
 * base for a user-space stack's provider, which adds the socket channels. Every channel the
 * subclass creates must implement {@link ReadinessSource} and report this provider.
 */
public abstract class ReadinessSelectorProvider extends SelectorProvider {
    /** Bytes a pipe from {@link #openPipe()} buffers before its sink stops being writable. */
    public static final int DEFAULT_PIPE_CAPACITY = 64 * 1024;

    protected ReadinessSelectorProvider() {
    }

    @Override
    public AbstractSelector openSelector() {
        return new ReadinessSelector(this);
    }

    /** An in-memory pipe of {@link #DEFAULT_PIPE_CAPACITY} bytes; both ends select here. */
    @Override
    public Pipe openPipe() {
        return openPipe(DEFAULT_PIPE_CAPACITY);
    }

    /** An in-memory pipe that buffers up to {@code capacity} bytes. */
    public Pipe openPipe(int capacity) {
        return new MemoryPipe(this, capacity);
    }
}
