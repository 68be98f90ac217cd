package org.jioth.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one netlink message in host byte order: the nlmsghdr, a fixed family header (ifinfomsg,
 * ifaddrmsg or rtmsg) and 4-aligned attributes, nested ones included. {@link #toByteArray()} fills
 * in {@code nlmsg_len}. Pure Java, no native calls.
 */
public final class NetlinkMessageBuilder {
    private ByteBuffer buf;

    /** Starts a message with the header {@code type}, {@code flags}, {@code seq} and pid 0. */
    public NetlinkMessageBuilder(int type, int flags, int seq) {
        buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        buf.putInt(0); // nlmsg_len, filled in by toByteArray
        buf.putShort((short) type);
        buf.putShort((short) flags);
        buf.putInt(seq);
        buf.putInt(0); // nlmsg_pid: the kernel is the destination
    }

    /** struct ifinfomsg: family, pad, type, index, flags, change (16 bytes). */
    public NetlinkMessageBuilder ifinfomsg(int family, int type, int index, int flags, int change) {
        ensure(Rtnl.IFINFOMSG_SIZE);
        buf.put((byte) family).put((byte) 0).putShort((short) type);
        buf.putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg: family, prefixlen, flags, scope, index (8 bytes). */
    public NetlinkMessageBuilder ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
        ensure(Rtnl.IFADDRMSG_SIZE);
        buf.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope);
        buf.putInt(index);
        return this;
    }

    /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags (12 bytes). */
    public NetlinkMessageBuilder rtmsg(int family, int dstLength, int srcLength, int tos, int table,
                                       int protocol, int scope, int type, int flags) {
        ensure(Rtnl.RTMSG_SIZE);
        buf.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos);
        buf.put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type);
        buf.putInt(flags);
        return this;
    }

    /** An attribute with {@code payload}, padded to 4 bytes (nla_len counts the unpadded length). */
    public NetlinkMessageBuilder attr(int type, byte[] payload) {
        int len = Rtnl.NLA_HDRLEN + payload.length;
        if (len > 0xffff) {
            throw new IllegalArgumentException("netlink attribute " + type + " too long: " + payload.length + " bytes");
        }
        ensure(Rtnl.align(len));
        buf.putShort((short) len).putShort((short) type).put(payload);
        pad();
        return this;
    }

    /** A u32 attribute. */
    public NetlinkMessageBuilder attrU32(int type, int value) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(value);
        return this;
    }

    /** A string attribute: the UTF-8 bytes and a terminating NUL. */
    public NetlinkMessageBuilder attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(s, s.length + 1));
    }

    /** Opens a nested attribute; close it with {@link #endNested} and the returned mark. */
    public int beginNested(int type) {
        ensure(Rtnl.NLA_HDRLEN);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    /** Closes the nested attribute opened at {@code mark}, setting its length. */
    public NetlinkMessageBuilder endNested(int mark) {
        int len = buf.position() - mark;
        if (len > 0xffff) {
            throw new IllegalArgumentException("nested netlink attribute too long: " + len + " bytes");
        }
        buf.putShort(mark, (short) len);
        return this;
    }

    /** The finished message, {@code nlmsg_len} set. */
    public byte[] toByteArray() {
        int len = buf.position();
        buf.putInt(0, len);
        return Arrays.copyOf(buf.array(), len);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.nativeOrder());
            bigger.put(buf.array(), 0, buf.position());
            buf = bigger;
        }
    }
}
