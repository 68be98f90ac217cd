package org.jioth.vdestack;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;

/**
 * Joins a tap of the namespace to a VNL: every frame read from one port is sent on the other.
 * Both ports copy a frame before {@code send} returns, so nothing is kept; a frame that cannot be
 * sent is counted as a drop by the sending port.
 */
final class TapBridge implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TapBridge.class.getName());

    final String interfaceName;
    final EthernetPort tap;
    final EthernetPort network;

    /** Frames into the tap wait for {@code pacer} (a listener with a full accept queue, see {@link AcceptPacer}). */
    TapBridge(String interfaceName, EthernetPort tap, EthernetPort network, AcceptPacer pacer) {
        this.interfaceName = interfaceName;
        this.tap = tap;
        this.network = network;
        tap.setSink(forwardTo(network));
        network.setSink(frame -> {
            pacer.beforeDelivery(frame);
            send(tap, frame);
        });
    }

    private static FrameSink forwardTo(EthernetPort out) {
        return frame -> send(out, frame);
    }

    private static void send(EthernetPort out, ByteBuffer frame) {
        try {
            out.send(frame);
        } catch (IOException e) {
            // closed while the bridge shuts down: the frame is lost as on a cable being unplugged
            LOG.log(System.Logger.Level.DEBUG, () -> out.description() + ": frame dropped: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            network.close();
        } finally {
            tap.close();
        }
    }
}
