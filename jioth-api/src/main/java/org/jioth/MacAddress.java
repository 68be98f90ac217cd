package org.jioth;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** A 48-bit Ethernet address. Immutable; {@link #toString()} is lower-case {@code xx:xx:xx:xx:xx:xx}. */
public final class MacAddress {
    public static final int LENGTH = 6;
    public static final MacAddress ZERO = new MacAddress(new byte[LENGTH]);
    public static final MacAddress BROADCAST = new MacAddress(new byte[] {-1, -1, -1, -1, -1, -1});

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The address of these 6 bytes (copied). */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses {@code xx:xx:xx:xx:xx:xx} or {@code xx-xx-…}, case-insensitive (as ioth_macton). */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != LENGTH) {
            throw new IllegalArgumentException("not a MAC address (want six hex pairs separated by ':' or '-'): " + text);
        }
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 2) {
                throw new IllegalArgumentException("not a MAC address, bad part '" + parts[i] + "': " + text);
            }
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address, bad part '" + parts[i] + "': " + text, e);
            }
        }
        return new MacAddress(b);
    }

    /** A random unicast, locally administered address (as user-space stacks pick for their NICs). */
    public static MacAddress randomLocal(RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        return new MacAddress(b);
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Byte {@code i} (0..5) as an unsigned value. */
    public int get(int i) {
        return bytes[i] & 0xff;
    }

    public boolean isMulticast() {
        return (bytes[0] & 1) != 0;
    }

    public boolean isBroadcast() {
        return equals(BROADCAST);
    }

    public boolean isLocallyAdministered() {
        return (bytes[0] & 2) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
