package org.jioth.bench;

/**
 * The byte-stream framing of {@code vde_plug}'s stdin/stdout (vde-protocols.md §12): each frame is
 * preceded by its length as a 2-byte big-endian number. Private to the benchmark: the encoder
 * fills a reusable chunk with copies of one frame, the decoder counts frames of one length.
 */
final class FrameStream {
    /** Lengths above this are framing errors (VDE_ETHBUFSIZE + 2). */
    static final int MAX_RECORD = 9236;

    private FrameStream() {
    }

    /** {@code copies} records of {@code frame}, back to back. */
    static byte[] encode(byte[] frame, int copies) {
        byte[] out = new byte[(frame.length + 2) * copies];
        int at = 0;
        for (int i = 0; i < copies; i++) {
            out[at++] = (byte) (frame.length >>> 8);
            out[at++] = (byte) frame.length;
            System.arraycopy(frame, 0, out, at, frame.length);
            at += frame.length;
        }
        return out;
    }

    /**
     * Reassembles records split or coalesced arbitrarily by the stream and counts those of the
     * wanted length; others and zero-length records are skipped. One thread feeds it.
     */
    static final class Decoder {
        private final FrameCounter counter;
        private int headerBytes; // 0 or 1 byte of the next length seen
        private int firstLengthByte;
        private int remaining; // bytes of the current record still to skip
        private int currentLength;
        long framingErrors;

        Decoder(FrameCounter counter) {
            this.counter = counter;
        }

        void feed(byte[] buf, int off, int len) {
            int end = off + len;
            int i = off;
            while (i < end) {
                if (remaining > 0) {
                    int take = Math.min(remaining, end - i);
                    remaining -= take;
                    i += take;
                    if (remaining == 0) {
                        counter.frame(currentLength);
                    }
                } else if (headerBytes == 0) {
                    firstLengthByte = buf[i++] & 0xff;
                    headerBytes = 1;
                } else {
                    currentLength = firstLengthByte << 8 | buf[i++] & 0xff;
                    headerBytes = 0;
                    if (currentLength > MAX_RECORD) {
                        framingErrors++; // cannot resynchronise reliably; count and go on
                    } else if (currentLength > 0) {
                        remaining = currentLength;
                    }
                }
            }
        }
    }
}
