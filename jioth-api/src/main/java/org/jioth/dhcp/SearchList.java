package org.jioth.dhcp;

import java.util.ArrayList;
import java.util.List;

/** DHCP option 119 (RFC 3397): DNS names, compressed with pointers into the option's own data. */
final class SearchList {
    private static final int MAX_NAMES = 32;

    private SearchList() {
    }

    static List<String> decode(byte[] m, int off, int len) {
        List<String> out = new ArrayList<>();
        int p = 0;
        while (p < len && out.size() < MAX_NAMES) {
            StringBuilder sb = new StringBuilder();
            int q = p;
            int next = -1;
            int hops = 0;
            while (true) {
                if (q >= len) {
                    throw new IllegalArgumentException("DHCP search list: name runs past the option");
                }
                int l = m[off + q] & 0xff;
                if (l == 0) {
                    if (next < 0) {
                        next = q + 1;
                    }
                    break;
                }
                if ((l & 0xc0) == 0xc0) {
                    if (q + 1 >= len) {
                        throw new IllegalArgumentException("DHCP search list: pointer cut off");
                    }
                    int target = (l & 0x3f) << 8 | m[off + q + 1] & 0xff;
                    if (target >= q || ++hops > 16) {
                        throw new IllegalArgumentException("DHCP search list: pointer loops or points forward");
                    }
                    if (next < 0) {
                        next = q + 2;
                    }
                    q = target;
                    continue;
                }
                if (l > 63 || q + 1 + l > len || sb.length() + l > 253) {
                    throw new IllegalArgumentException("DHCP search list: bad label");
                }
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(new String(m, off + q + 1, l, java.nio.charset.StandardCharsets.US_ASCII));
                q += l + 1;
            }
            if (!sb.isEmpty()) {
                out.add(sb.toString());
            }
            p = next;
        }
        return List.copyOf(out);
    }
}
