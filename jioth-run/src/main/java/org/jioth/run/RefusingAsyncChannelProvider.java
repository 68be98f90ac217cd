package org.jioth.run;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * {@code ioth run}'s {@code -Djava.nio.channels.spi.AsynchronousChannelProvider}: the stacks offer no
 * asynchronous channels, and the JDK's would reach the host's network behind the stack's back, so
 * {@code AsynchronousSocketChannel.open()} and friends fail with the reason instead.
 */
public final class RefusingAsyncChannelProvider extends AsynchronousChannelProvider {
    private static final String WHY = "asynchronous socket channels are not offered on a jioth stack"
            + " (ioth run refuses them rather than let them reach the host's network): use SocketChannel with a Selector";

    /** Called by the JDK through the system property. */
    public RefusingAsyncChannelProvider() {
    }

    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(int nThreads, ThreadFactory threadFactory) throws IOException {
        throw new UnsupportedOperationException(WHY);
    }

    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(ExecutorService executor, int initialSize) throws IOException {
        throw new UnsupportedOperationException(WHY);
    }

    @Override
    public AsynchronousServerSocketChannel openAsynchronousServerSocketChannel(AsynchronousChannelGroup group) throws IOException {
        throw new UnsupportedOperationException(WHY);
    }

    @Override
    public AsynchronousSocketChannel openAsynchronousSocketChannel(AsynchronousChannelGroup group) throws IOException {
        throw new UnsupportedOperationException(WHY);
    }
}
