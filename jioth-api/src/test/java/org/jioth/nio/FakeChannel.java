package org.jioth.nio;

import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;

/** A channel whose readiness the test sets directly; readable and writable. */
final class FakeChannel extends AbstractSelectableChannel implements ReadinessSource {
    private final Readiness readiness = new Readiness(this, this::ready);
    private volatile int ready;

    FakeChannel(SelectorProvider provider) {
        super(provider);
    }

    private int ready() {
        return ready;
    }

    void setReady(int ops) {
        ready = ops;
        readiness.changed();
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public int validOps() {
        return SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    }

    @Override
    protected void implCloseSelectableChannel() {
        readiness.changed();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
    }
}
