package org.jioth.vdestack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The requests between a stack and its {@link NamespaceHelper}, one SOCK_SEQPACKET record each
 * (both ends are on one machine, so integers are in native order). A request is
 * {@code int id, int op, int a, int b, int c} plus, for {@link #OP_TAP}, the interface name in
 * UTF-8; the answer is {@code int id, int errno} (0 = success) with the new descriptor attached by
 * SCM_RIGHTS. The id is the request's: an answer that comes after its request timed out carries an
 * older id, so it cannot be taken for the answer to the next request (a tap for a socket).
 */
final class HelperProtocol {
    /** socket(a = domain, b = type, c = protocol) in the namespace. */
    static final int OP_SOCKET = 1;
    /** Create tap interface {@code name} (IFF_TAP | IFF_NO_PI) in the namespace. */
    static final int OP_TAP = 2;

    static final int REQUEST_HEADER = 20;
    static final int MAX_REQUEST = 68;
    static final int REPLY = 8;

    private HelperProtocol() {
    }

    static ByteBuffer request(int id, int op, int a, int b, int c, String name) {
        byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(REQUEST_HEADER + n.length).order(ByteOrder.nativeOrder());
        buf.putInt(id).putInt(op).putInt(a).putInt(b).putInt(c).put(n).flip();
        return buf;
    }

    /** The answer to {@code request} (read with absolute gets, so its position does not matter). */
    static ByteBuffer reply(ByteBuffer request, int errno) {
        int id = request.limit() >= 4 ? request.getInt(0) : 0;
        return ByteBuffer.allocate(REPLY).order(ByteOrder.nativeOrder()).putInt(id).putInt(errno).flip();
    }
}
