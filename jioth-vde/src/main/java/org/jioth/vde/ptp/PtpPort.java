package org.jioth.vde.ptp;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jioth.linux.unix.Reactor;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * {@code ptp://PATH}: a point-to-point link over one AF_UNIX socket path (vde-protocols.md §5), in
 * the protocol {@code mode=} chooses: {@link LegacyPtpEnd legacy} datagrams (the default: what
 * Debian's vdeplug 4.0.1 speaks) or the current {@link SeqpacketPtpEnd seqpacket} protocol with
 * its listener, status byte and reconnection. Received frames are delivered on a shared
 * {@link Reactor} thread; sends never block.
 */
public final class PtpPort implements EthernetPort {
    /** One end's protocol. */
    interface End {
        boolean send(ByteBuffer frame);

        /** The path this end bound (PATH or PATH+ in legacy mode; PATH for a seqpacket listener), or null. */
        String boundPath();

        boolean hasEnded();

        /** Why the end stopped receiving because its handler failed, or empty. */
        java.util.Optional<Throwable> failure();

        void close();
    }

    private final PtpSettings settings;
    private final PortStatistics statistics = new PortStatistics();
    private final End end;
    private volatile FrameSink sink;

    public PtpPort(PtpSettings settings) throws IOException {
        this.settings = settings;
        Reactor reactor = Reactor.shared();
        this.end = switch (settings.mode()) {
            case LEGACY -> LegacyPtpEnd.open(settings, reactor, statistics, () -> sink);
            case SEQPACKET -> SeqpacketPtpEnd.open(settings, reactor, statistics, () -> sink);
        };
    }

    /** The path this end is bound at (legacy: PATH for the first end, PATH+ for the second; seqpacket: PATH on the listening end, else null). */
    public String boundPath() {
        return end.boundPath();
    }

    @Override
    public boolean send(ByteBuffer frame) {
        return end.send(frame);
    }

    @Override
    public void setSink(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    @Override
    public String description() {
        return settings.toString();
    }

    /**
     * A seqpacket connecting end ends by itself when it cannot reconnect after its peer left; any
     * end ends when its receive handler failed ({@link #failure()}).
     */
    @Override
    public boolean hasEnded() {
        return end.hasEnded();
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        return end.failure();
    }

    @Override
    public void close() {
        end.close();
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
