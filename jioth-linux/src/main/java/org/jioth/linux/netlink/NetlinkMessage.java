package org.jioth.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of a received netlink datagram: its header fields and its payload (everything after
 * the 16-byte nlmsghdr, up to nlmsg_len), a read-only host-order view of the datagram's bytes.
 */
public record NetlinkMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {

    /**
     * Splits a datagram into its messages. Every message must have a length of at least the header
     * and fit the datagram; anything else is {@link MalformedNetlinkException}.
     */
    public static List<NetlinkMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
        List<NetlinkMessage> out = new ArrayList<>();
        int pos = 0;
        while (b.limit() - pos >= Rtnl.NLMSGHDR_SIZE) {
            int len = b.getInt(pos);
            if (len < Rtnl.NLMSGHDR_SIZE || len > b.limit() - pos) {
                throw new MalformedNetlinkException("netlink message at offset " + pos + " has length " + len
                        + " but " + (b.limit() - pos) + " bytes remain");
            }
            int type = Short.toUnsignedInt(b.getShort(pos + 4));
            int flags = Short.toUnsignedInt(b.getShort(pos + 6));
            int seq = b.getInt(pos + 8);
            int pid = b.getInt(pos + 12);
            ByteBuffer payload = b.slice(pos + Rtnl.NLMSGHDR_SIZE, len - Rtnl.NLMSGHDR_SIZE)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            out.add(new NetlinkMessage(type, flags, seq, pid, payload));
            pos += Rtnl.align(len);
        }
        if (pos < b.limit()) {
            throw new MalformedNetlinkException("netlink datagram has " + (b.limit() - pos) + " trailing bytes");
        }
        return out;
    }

    public boolean isError() {
        return type == Rtnl.NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == Rtnl.NLMSG_DONE;
    }

    /**
     * The error field of an NLMSG_ERROR (0 = ack, negative = -errno, positive = a user-space stack's
     * value such as a new ifindex), or of an NLMSG_DONE (0 when absent).
     */
    public int errorCode() {
        if (payload.limit() < 4) {
            if (isDone()) {
                return 0;
            }
            throw new MalformedNetlinkException("netlink error message too short: " + payload.limit() + " bytes");
        }
        return payload.getInt(0);
    }

    /** The attributes following a fixed family header of {@code headerSize} bytes. */
    public NetlinkAttributes attributes(int headerSize) {
        if (payload.limit() < headerSize) {
            throw new MalformedNetlinkException("netlink message type " + type + " has " + payload.limit()
                    + " payload bytes, less than its " + headerSize + "-byte header");
        }
        return NetlinkAttributes.parse(payload.slice(headerSize, payload.limit() - headerSize));
    }
}
