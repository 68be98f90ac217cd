package org.jioth.jnet.ip;

import java.util.Arrays;

/**
 * The byte ranges [start, end) of a fragmented datagram received so far, sorted and merged (RFC 815
 * bookkeeping): shared by IPv4 and IPv6 reassembly. Grows by doubling from four ranges.
 */
final class ReceivedRanges {
    private int[] ranges = new int[8];
    private int count;

    /** 1 = exact duplicate of a received range, 0 = no overlap, -1 = partial overlap. */
    int overlap(int start, int end) {
        for (int i = 0; i < count; i++) {
            int s = ranges[2 * i];
            int e = ranges[2 * i + 1];
            if (start < e && s < end) {
                return start == s && end == e ? 1 : -1;
            }
        }
        return 0;
    }

    /** Adds [start, end), which overlaps nothing received, merging it with its neighbours. */
    void insert(int start, int end) {
        if (2 * count + 2 > ranges.length) {
            ranges = Arrays.copyOf(ranges, ranges.length * 2);
        }
        int i = 0;
        while (i < count && ranges[2 * i] < start) {
            i++;
        }
        System.arraycopy(ranges, 2 * i, ranges, 2 * i + 2, 2 * (count - i));
        ranges[2 * i] = start;
        ranges[2 * i + 1] = end;
        count++;
        int w = 0;
        for (int r = 1; r < count; r++) {
            if (ranges[2 * w + 1] == ranges[2 * r]) {
                ranges[2 * w + 1] = ranges[2 * r + 1];
            } else {
                w++;
                ranges[2 * w] = ranges[2 * r];
                ranges[2 * w + 1] = ranges[2 * r + 1];
            }
        }
        count = w + 1;
    }

    /** The end of the highest range received, -1 when none. */
    int highestEnd() {
        return count > 0 ? ranges[2 * count - 1] : -1;
    }

    /** Whether [0, total) has all been received. */
    boolean covers(int total) {
        return count == 1 && ranges[0] == 0 && ranges[1] == total;
    }
}
