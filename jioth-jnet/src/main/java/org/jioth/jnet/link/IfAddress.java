package org.jioth.jnet.link;

import org.jioth.jnet.wire.Ip4;

/** An IPv4 address of an interface with its prefix length. */
public record IfAddress(int address, int prefixLength) {
    public int mask() {
        return Ip4.mask(prefixLength);
    }

    public int network() {
        return address & mask();
    }

    /** The directed broadcast address, or 0 for /31 and /32. */
    public int broadcast() {
        return prefixLength >= 31 ? 0 : address | ~mask();
    }

    public boolean contains(int a) {
        return (a & mask()) == network();
    }

    @Override
    public String toString() {
        return Ip4.toString(address) + "/" + prefixLength;
    }
}
