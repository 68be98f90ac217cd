package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * One segment as the state machine sees it, in or out: header fields, options and where the
 * payload is. Incoming payload is a range of the received frame; outgoing payload is a range of
 * the connection's {@link SendBuffer}, copied straight into the frame by {@link #copyPayload}.
 * Reused: valid only during the call that hands it over.
 */
public final class Segment {
    public int seq;
    public int ack;
    public int flags;
    /** The 16-bit window field as on the wire (unscaled). */
    public int window;
    public final TcpOptions options = new TcpOptions();
    public int payloadLength;
    /**
     * Output only: the payload per wire segment when the link cuts this one into several (TSO,
     * the virtio-net header's {@code gso_size}); 0 when it leaves as one segment.
     */
    public int segmentSize;
    ByteBuffer payload;
    int payloadOffset;
    SendBuffer source;
    long sourceOffset;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space this segment takes: payload plus one each for SYN and FIN. */
    public int seqLength() {
        return payloadLength + (has(Tcp.SYN) ? 1 : 0) + (has(Tcp.FIN) ? 1 : 0);
    }

    /** Sets the payload to {@code len} bytes of {@code buf} at absolute {@code off} (input). */
    public Segment payload(ByteBuffer buf, int off, int len) {
        this.payload = buf;
        this.payloadOffset = off;
        this.payloadLength = len;
        this.segmentSize = 0;
        this.source = null;
        return this;
    }

    /** Fills the header fields and options from a parsed view (input); false on malformed options. */
    public boolean from(Tcp t) {
        seq = t.seq();
        ack = t.ack();
        flags = t.flags();
        window = t.window();
        payload(t.buffer(), t.payloadOffset(), t.payloadLength());
        return t.options(options);
    }

    void payloadFrom(SendBuffer b, long off, int len) {
        this.source = b;
        this.sourceOffset = off;
        this.payloadLength = len;
        this.segmentSize = 0;
        this.payload = null;
    }

    /** Copies the payload into {@code dst} at absolute {@code at}. */
    public void copyPayload(ByteBuffer dst, int at) {
        if (payloadLength == 0) {
            return;
        }
        if (source != null) {
            source.copy(sourceOffset, dst, at, payloadLength);
        } else {
            dst.put(at, payload, payloadOffset, payloadLength);
        }
    }

    /** The payload's source (input) buffer and offset, for the receive path. */
    ByteBuffer inputBuffer() {
        return payload;
    }

    int inputOffset() {
        return payloadOffset;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                s.append(s.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        s.append(" seq=").append(Integer.toUnsignedString(seq));
        if (has(Tcp.ACK)) {
            s.append(" ack=").append(Integer.toUnsignedString(ack));
        }
        s.append(" win=").append(window).append(" len=").append(payloadLength);
        return s.toString();
    }
}
