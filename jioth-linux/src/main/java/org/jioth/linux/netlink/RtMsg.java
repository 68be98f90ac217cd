package org.jioth.linux.netlink;

import java.nio.ByteBuffer;

/** struct rtmsg as read from a message payload. */
public record RtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol,
                    int scope, int type, int flags) {
    public static RtMsg read(ByteBuffer payload) {
        if (payload.limit() < Rtnl.RTMSG_SIZE) {
            throw new MalformedNetlinkException("rtmsg needs 12 bytes, message has " + payload.limit());
        }
        return new RtMsg(u8(payload, 0), u8(payload, 1), u8(payload, 2), u8(payload, 3), u8(payload, 4),
                u8(payload, 5), u8(payload, 6), u8(payload, 7), payload.getInt(8));
    }

    private static int u8(ByteBuffer b, int i) {
        return Byte.toUnsignedInt(b.get(i));
    }
}
