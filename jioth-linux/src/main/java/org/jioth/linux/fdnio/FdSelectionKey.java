package org.jioth.linux.fdnio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A registration of a descriptor channel with an {@link EpollSelector}. */
final class FdSelectionKey extends AbstractSelectionKey {
    private final SelectableChannel channel;
    private final EpollSelector selector;
    final NativeFd fd;
    final FdSelectable selectable;
    private volatile int interestOps;
    volatile int readyOps;
    /** Whether the descriptor is in the selector's epoll set (guarded by the selector's registration lock). */
    boolean inEpoll;

    FdSelectionKey(SelectableChannel channel, EpollSelector selector, NativeFd fd) {
        this.channel = channel;
        this.selector = selector;
        this.fd = fd;
        this.selectable = (FdSelectable) channel;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public FdSelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        synchronized (this) {
            interestOps = ops;
            selector.updateInterest(this);
        }
        return this;
    }

    /** The interest set without the validity check (for the selector). */
    int rawInterestOps() {
        return interestOps;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }
}
