package org.jioth.slirp;

import java.net.InetAddress;

/** Dotted-quad IPv4 text to and from the int form jnet uses (no name lookups). */
final class Ipv4Text {
    private Ipv4Text() {
    }

    /** Parses {@code a.b.c.d}; {@code what} names the value in the error. */
    static int parse(String text, String what) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("slirp: " + what + " '" + text + "' is not an IPv4 address a.b.c.d");
        }
        int a = 0;
        for (String p : parts) {
            int v;
            try {
                v = p.isEmpty() || p.length() > 3 ? -1 : Integer.parseInt(p);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("slirp: " + what + " '" + text + "' is not an IPv4 address a.b.c.d");
            }
            a = a << 8 | v;
        }
        return a;
    }

    static InetAddress parseInet(String text, String what) {
        return toInet(parse(text, what));
    }

    static InetAddress toInet(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static int of(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + a);
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }
}
