package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * The TCP options jnet understands (RFC 9293 MSS, RFC 7323 window scale and timestamps, RFC 2018
 * SACK-permitted and SACK blocks), parsed from or emitted into a header. A reusable holder: no
 * allocation per segment. Absent numeric options are -1.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WSCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;
    /** RFC 7323 2.3: shifts beyond 14 are treated as 14. */
    public static final int MAX_WSCALE = 14;
    public static final int MAX_LENGTH = 40;
    public static final int MAX_SACK_BLOCKS = 4;

    public int mss = -1;
    public int windowScale = -1;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks as (left, right) pairs. */
    public final int[] sack = new int[2 * MAX_SACK_BLOCKS];
    public int sackCount;

    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
        return this;
    }

    public void copyFrom(TcpOptions o) {
        mss = o.mss;
        windowScale = o.windowScale;
        sackPermitted = o.sackPermitted;
        timestamps = o.timestamps;
        tsVal = o.tsVal;
        tsEcr = o.tsEcr;
        sackCount = o.sackCount;
        System.arraycopy(o.sack, 0, sack, 0, 2 * sackCount);
    }

    /** Adds a SACK block; false when there is no room left (the holder or the header). */
    public boolean addSack(int left, int right) {
        if (sackCount >= maxSackBlocks()) {
            return false;
        }
        sack[2 * sackCount] = left;
        sack[2 * sackCount + 1] = right;
        sackCount++;
        return true;
    }

    /** How many SACK blocks fit beside the other options (3 with timestamps, else 4). */
    public int maxSackBlocks() {
        int room = MAX_LENGTH - fixedLength() - 4;
        return Math.max(0, Math.min(MAX_SACK_BLOCKS, room / 8));
    }

    public int sackLeft(int i) {
        return sack[2 * i];
    }

    public int sackRight(int i) {
        return sack[2 * i + 1];
    }

    private int fixedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (timestamps) {
            n += 12; // with SACK-permitted folded into its two leading bytes, or two NOPs
        } else if (sackPermitted) {
            n += 4;
        }
        if (windowScale >= 0) {
            n += 4;
        }
        return n;
    }

    /** Bytes these options take in a header (a multiple of 4, at most 40). */
    public int encodedLength() {
        return fixedLength() + (sackCount > 0 ? 4 + 8 * sackCount : 0);
    }

    /** Writes the options at absolute offset {@code off}; returns their length. */
    public int emit(ByteBuffer b, int off) {
        int p = off;
        if (mss >= 0) {
            b.putInt(p, (KIND_MSS << 24) | (4 << 16) | (mss & 0xffff));
            p += 4;
        }
        if (timestamps) {
            int lead = sackPermitted ? (KIND_SACK_PERMITTED << 24) | (2 << 16) : (KIND_NOP << 24) | (KIND_NOP << 16);
            b.putInt(p, lead | (KIND_TIMESTAMPS << 8) | 10);
            b.putInt(p + 4, tsVal);
            b.putInt(p + 8, tsEcr);
            p += 12;
        } else if (sackPermitted) {
            b.putInt(p, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK_PERMITTED << 8) | 2);
            p += 4;
        }
        if (windowScale >= 0) {
            b.putInt(p, (KIND_NOP << 24) | (KIND_WSCALE << 16) | (3 << 8) | Math.min(windowScale, MAX_WSCALE));
            p += 4;
        }
        if (sackCount > 0) {
            b.putInt(p, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK << 8) | (2 + 8 * sackCount));
            p += 4;
            for (int i = 0; i < 2 * sackCount; i++) {
                b.putInt(p, sack[i]);
                p += 4;
            }
        }
        return p - off;
    }

    /**
     * Parses {@code len} option bytes at {@code off} into this holder (cleared first), as Linux's
     * tcp_parse_options: unknown options are skipped; a known option with the wrong length is
     * ignored; an impossible length (below 2, or past the end) ends parsing, keeping what came
     * before. Never a reason to drop the segment: the result only says whether every option was
     * well formed (false is counted).
     */
    public boolean parse(ByteBuffer b, int off, int len) {
        clear();
        boolean wellFormed = true;
        int p = off;
        int end = off + len;
        while (p < end) {
            int kind = b.get(p) & 0xff;
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                return false;
            }
            int olen = b.get(p + 1) & 0xff;
            if (olen < 2 || p + olen > end) {
                return false;
            }
            switch (kind) {
                case KIND_MSS -> {
                    if (olen == 4) {
                        mss = b.getShort(p + 2) & 0xffff;
                    } else {
                        wellFormed = false;
                    }
                }
                case KIND_WSCALE -> {
                    if (olen == 3) {
                        windowScale = Math.min(b.get(p + 2) & 0xff, MAX_WSCALE);
                    } else {
                        wellFormed = false;
                    }
                }
                case KIND_SACK_PERMITTED -> {
                    if (olen == 2) {
                        sackPermitted = true;
                    } else {
                        wellFormed = false;
                    }
                }
                case KIND_SACK -> {
                    int n = (olen - 2) / 8;
                    if ((olen - 2) % 8 == 0 && n > 0 && n <= MAX_SACK_BLOCKS) {
                        sackCount = n;
                        for (int i = 0; i < 2 * n; i++) {
                            sack[i] = b.getInt(p + 2 + 4 * i);
                        }
                    } else {
                        wellFormed = false;
                    }
                }
                case KIND_TIMESTAMPS -> {
                    if (olen == 10) {
                        timestamps = true;
                        tsVal = b.getInt(p + 2);
                        tsEcr = b.getInt(p + 6);
                    } else {
                        wellFormed = false;
                    }
                }
                default -> {
                    // unknown option: skipped (RFC 9293 3.1)
                }
            }
            p += olen;
        }
        return wellFormed;
    }
}
