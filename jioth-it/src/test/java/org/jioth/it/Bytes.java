package org.jioth.it;

import java.util.SplittableRandom;

/** Test payloads: seeded, so a failing run can be repeated byte for byte. */
final class Bytes {
    private Bytes() {
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
