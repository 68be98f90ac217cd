package org.jioth.vde;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jioth.linux.unix.UnixAddress;

/**
 * The classic vde control request {@code request_v3} (vde-protocols.md §2.2): magic, version, type
 * and the client's data socket address in host byte order, then the description without NUL.
 */
record VdeRequest(int type, String socketPath, String description) {
    static final int MAGIC = 0xfeedface;
    static final int VERSION = 3;
    static final int REQ_NEW_CONTROL = 0;
    static final int REQ_NEW_PORT0 = 1;
    static final int HEADER = 12 + UnixAddress.SIZE; // 122
    static final int MAX_DESCRIPTION = 128;
    /** Servers read a request with one read of at most this many bytes. */
    static final int MAX_REQUEST = 256;

    /** The type field for a port request: 0 any port, 1 port 0, else {@code port << 8}. */
    static int typeFor(Integer port) {
        if (port == null) {
            return REQ_NEW_CONTROL;
        }
        return port == 0 ? REQ_NEW_PORT0 : port << 8;
    }

    byte[] encode() {
        byte[] d = description.getBytes(StandardCharsets.UTF_8);
        if (d.length > MAX_DESCRIPTION - 1) {
            d = Arrays.copyOf(d, MAX_DESCRIPTION - 1);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + d.length).order(ByteOrder.nativeOrder());
        b.putInt(MAGIC).putInt(VERSION).putInt(type).put(UnixAddress.encode(socketPath)).put(d);
        return b.array();
    }

    /** Parses a request as a server does; null when it is not a valid v3 request for a new port. */
    static VdeRequest decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        if (b.remaining() < HEADER) {
            return null;
        }
        int magic = b.getInt(), version = b.getInt(), type = b.getInt();
        if (magic != MAGIC || version != VERSION || (type & 0xff) != 0) {
            return null;
        }
        byte[] sa = new byte[UnixAddress.SIZE];
        b.get(sa);
        String path = UnixAddress.decode(sa, sa.length);
        if (path == null) {
            return null;
        }
        byte[] d = new byte[b.remaining()];
        b.get(d);
        int end = 0;
        while (end < d.length && d[end] != 0) {
            end++;
        }
        return new VdeRequest(type, path, new String(d, 0, end, StandardCharsets.UTF_8));
    }
}
