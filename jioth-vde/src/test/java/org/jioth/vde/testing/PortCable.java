package org.jioth.vde.testing;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;

/**
 * Joins two ports in this JVM: every frame one receives is sent on the other. Send failures are
 * counted, never thrown into the delivering thread. Closing the cable closes both ports.
 */
public final class PortCable implements AutoCloseable {
    private final EthernetPort a;
    private final EthernetPort b;
    public final LongAdder failedSends = new LongAdder();

    public PortCable(EthernetPort a, EthernetPort b) {
        this.a = a;
        this.b = b;
        a.setSink(forwardTo(b));
        b.setSink(forwardTo(a));
    }

    private FrameSink forwardTo(EthernetPort to) {
        return frame -> {
            try {
                if (!to.send(frame)) {
                    failedSends.increment();
                }
            } catch (IOException e) {
                failedSends.increment();
            }
        };
    }

    @Override
    public void close() throws IOException {
        a.setSink(null);
        b.setSink(null);
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
