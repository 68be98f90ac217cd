package org.jioth.vde;

import java.nio.ByteBuffer;

/** {@code null://} (vde-protocols.md §10): accepts and drops every frame, never receives one. */
public final class NullPort implements EthernetPort {
    private final PortStatistics statistics = new PortStatistics();
    private final String description;

    public NullPort(String description) {
        this.description = description;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        statistics.framesOut.increment();
        statistics.bytesOut.add(frame.remaining());
        return true; // as the C module: the length is reported sent, the frame goes nowhere
    }

    @Override
    public void setSink(FrameSink sink) {
    }

    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
    }
}
