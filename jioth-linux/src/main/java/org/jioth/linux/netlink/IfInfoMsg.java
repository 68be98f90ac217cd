package org.jioth.linux.netlink;

import java.nio.ByteBuffer;

/** struct ifinfomsg as read from a message payload. */
public record IfInfoMsg(int family, int type, int index, int flags, int change) {
    public static IfInfoMsg read(ByteBuffer payload) {
        if (payload.limit() < Rtnl.IFINFOMSG_SIZE) {
            throw new MalformedNetlinkException("ifinfomsg needs 16 bytes, message has " + payload.limit());
        }
        return new IfInfoMsg(Byte.toUnsignedInt(payload.get(0)), Short.toUnsignedInt(payload.getShort(2)),
                payload.getInt(4), payload.getInt(8), payload.getInt(12));
    }
}
