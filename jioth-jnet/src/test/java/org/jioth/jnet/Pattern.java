package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bulk-transfer tests' data: a byte stream where every byte is a function of its offset (a
 * hash of the offset's 8-byte block), so a lost, duplicated or misplaced byte shows at once.
 */
final class Pattern {
    static final int CHUNK = 65536;

    private Pattern() {
    }

    static byte at(long i) {
        long x = (i >>> 3) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x >>> ((i & 7) << 3));
    }

    static void fill(byte[] b, int len, long offset) {
        for (int i = 0; i < len; i++) {
            b[i] = at(offset + i);
        }
    }

    /** Writes {@code total} pattern bytes; the SHA-256 (hex) of what was written. */
    static String write(SocketChannel c, long total) throws IOException {
        MessageDigest md = sha256();
        byte[] chunk = new byte[CHUNK];
        ByteBuffer out = ByteBuffer.wrap(chunk);
        long sent = 0;
        while (sent < total) {
            int n = (int) Math.min(chunk.length, total - sent);
            fill(chunk, n, sent);
            md.update(chunk, 0, n);
            out.clear().limit(n);
            while (out.hasRemaining()) {
                sent += c.write(out);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reads to EOF comparing every byte with the pattern; the number of bytes read. */
    static long readAndCheck(SocketChannel c) throws IOException {
        byte[] in = new byte[CHUNK];
        byte[] expected = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(in);
        long got = 0;
        int n;
        while ((n = c.read(buf.clear())) >= 0) {
            fill(expected, n, got);
            int bad = Arrays.mismatch(in, 0, n, expected, 0, n);
            if (bad >= 0) {
                throw new AssertionError("byte " + (got + bad) + " differs: got " + in[bad] + ", want " + expected[bad]);
            }
            got += n;
        }
        return got;
    }

    /** The SHA-256 (hex) of the first {@code total} pattern bytes. */
    static String sha256Of(long total) {
        MessageDigest md = sha256();
        byte[] chunk = new byte[CHUNK];
        for (long off = 0; off < total; off += chunk.length) {
            int n = (int) Math.min(chunk.length, total - off);
            fill(chunk, n, off);
            md.update(chunk, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
