package org.jioth.vde;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: crafted frames and a sink that records copies. */
final class Frames {
    private Frames() {
    }

    static byte[] mac(String text) {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    /** An untagged frame dst, src, ethertype 0x88b5 (local experimental) and {@code payload}. */
    static ByteBuffer frame(String dst, String src, String payload) {
        byte[] p = payload.getBytes();
        ByteBuffer b = ByteBuffer.allocate(14 + p.length);
        b.put(mac(dst)).put(mac(src)).putShort((short) 0x88b5).put(p);
        return b.flip();
    }

    /** An 802.1Q-tagged frame with TCI {@code tci}. */
    static ByteBuffer tagged(String dst, String src, int tci, String payload) {
        byte[] p = payload.getBytes();
        ByteBuffer b = ByteBuffer.allocate(18 + p.length);
        b.put(mac(dst)).put(mac(src)).putShort((short) 0x8100).putShort((short) tci).putShort((short) 0x88b5).put(p);
        return b.flip();
    }

    static String payload(byte[] frame) {
        int off = (frame[12] & 0xff) == 0x81 && frame[13] == 0 ? 18 : 14;
        return new String(frame, off, frame.length - off);
    }

    /** Records copies of every frame and counts batches. */
    static final class Recorder implements FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        int batches;

        @Override
        public synchronized void frame(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(frame.position(), b);
            frames.add(b);
        }

        @Override
        public synchronized void endOfBatch() {
            batches++;
        }

        synchronized List<String> payloads() {
            return frames.stream().map(Frames::payload).toList();
        }

        synchronized void clear() {
            frames.clear();
        }
    }
}
