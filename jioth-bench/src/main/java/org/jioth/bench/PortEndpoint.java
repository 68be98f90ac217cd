package org.jioth.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;

/** An endpoint on one of our {@link EthernetPort}s ({@code vde://} client or in-JVM node port). */
final class PortEndpoint implements Endpoint {
    private final EthernetPort port;
    private final FrameCounter counter = new FrameCounter();
    private long refused;

    PortEndpoint(EthernetPort port) {
        this.port = port;
        port.setSink(new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                counter.frame(frame.remaining());
            }
        });
    }

    @Override
    public void sendOnce(byte[] frame) throws IOException {
        port.send(ByteBuffer.wrap(frame));
    }

    @Override
    public long blast(byte[] frame, long deadlineNanos, long maxFrames) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        long sent = 0;
        long refusedHere = 0;
        for (long i = 0; sent < maxFrames; i++) {
            if ((i & 255) == 0 && System.nanoTime() - deadlineNanos >= 0) {
                break;
            }
            if (port.send(b)) {
                sent++;
            } else {
                refusedHere++; // the socket queue is full: retry the same frame after letting others run
                Thread.yield();
            }
        }
        refused = refusedHere;
        return sent;
    }

    @Override
    public FrameCounter received() {
        return counter;
    }

    @Override
    public long refused() {
        return refused;
    }

    @Override
    public void close() throws IOException {
        port.setSink(null);
        port.close();
    }
}
