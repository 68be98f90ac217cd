package org.jioth.linux.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The attributes of a netlink message region, in order. Lookups return the first attribute of a
 * type, as nlinline does (for example the first IFLA_ADDRESS). Types are compared without the
 * NLA_F_NESTED and NLA_F_NET_BYTEORDER bits.
 */
public final class NetlinkAttributes {
    private static final int TYPE_MASK = 0x3fff;

    /** One attribute: its type (flag bits removed) and its unpadded payload. */
    public record Attribute(int type, ByteBuffer payload) {
        public byte[] bytes() {
            byte[] b = new byte[payload.remaining()];
            payload.duplicate().get(b);
            return b;
        }
    }

    private final List<Attribute> attributes;

    private NetlinkAttributes(List<Attribute> attributes) {
        this.attributes = attributes;
    }

    /** Parses a region holding attributes back to back (each 4-aligned). */
    public static NetlinkAttributes parse(ByteBuffer region) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        List<Attribute> list = new ArrayList<>();
        int pos = 0;
        while (b.limit() - pos >= Rtnl.NLA_HDRLEN) {
            int len = Short.toUnsignedInt(b.getShort(pos));
            int type = Short.toUnsignedInt(b.getShort(pos + 2)) & TYPE_MASK;
            if (len < Rtnl.NLA_HDRLEN || len > b.limit() - pos) {
                throw new MalformedNetlinkException("netlink attribute type " + type + " at offset " + pos
                        + " has length " + len + " but " + (b.limit() - pos) + " bytes remain");
            }
            list.add(new Attribute(type, b.slice(pos + Rtnl.NLA_HDRLEN, len - Rtnl.NLA_HDRLEN)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder())));
            pos += Rtnl.align(len);
        }
        return new NetlinkAttributes(List.copyOf(list));
    }

    public List<Attribute> all() {
        return attributes;
    }

    /** The first attribute of {@code type}, or null. */
    public Attribute find(int type) {
        for (Attribute a : attributes) {
            if (a.type() == type) {
                return a;
            }
        }
        return null;
    }

    public boolean has(int type) {
        return find(type) != null;
    }

    /** The payload bytes of the first attribute of {@code type}, or null. */
    public byte[] bytes(int type) {
        Attribute a = find(type);
        return a == null ? null : a.bytes();
    }

    /** A u32 attribute's value; empty when absent, malformed when not 4 bytes. */
    public OptionalInt u32(int type) {
        Attribute a = find(type);
        if (a == null) {
            return OptionalInt.empty();
        }
        if (a.payload().remaining() != 4) {
            throw new MalformedNetlinkException("netlink attribute " + type + " should be a u32 but has "
                    + a.payload().remaining() + " bytes");
        }
        return OptionalInt.of(a.payload().getInt(0));
    }

    /** A string attribute up to its first NUL, or null when absent. */
    public String string(int type) {
        byte[] b = bytes(type);
        if (b == null) {
            return null;
        }
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** An address attribute (4 or 16 bytes) as an InetAddress, or null when absent or another size. */
    public InetAddress inetAddress(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** The attributes nested in the first attribute of {@code type}, or null when absent. */
    public NetlinkAttributes nested(int type) {
        Attribute a = find(type);
        return a == null ? null : parse(a.payload());
    }
}
