package org.jioth.linux.netlink;

import java.nio.ByteBuffer;

/** struct ifaddrmsg as read from a message payload. */
public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) {
    public static IfAddrMsg read(ByteBuffer payload) {
        if (payload.limit() < Rtnl.IFADDRMSG_SIZE) {
            throw new MalformedNetlinkException("ifaddrmsg needs 8 bytes, message has " + payload.limit());
        }
        return new IfAddrMsg(Byte.toUnsignedInt(payload.get(0)), Byte.toUnsignedInt(payload.get(1)),
                Byte.toUnsignedInt(payload.get(2)), Byte.toUnsignedInt(payload.get(3)), payload.getInt(4));
    }
}
