package org.jioth.vde;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many full frames a switch queues toward one of our {@code vde://} ports while we are not
 * reading ({@link EthernetPort#ingressQueueFrames()}). The switch and our data socket are a
 * connected AF_UNIX datagram pair, so the receiver's {@code max_dgram_qlen} does not apply: the
 * switch's socket send buffer does, the host's {@code net.core.wmem_default} unless the switch sets
 * its own (Debian's {@code vde_switch} does not), each queued frame charged its truesize. Measured
 * with {@code ss -xm} during a bulk run: {@code t214272} against {@code tb212992}, 93 frames of
 * 2,304 bytes, then drops (docs/benchmarks.md, "One-way bulk into a jnet server").
 */
final class SwitchQueue {
    /** What a queued full-size frame (1,514 bytes) is charged to the sender's buffer. */
    static final int FRAME_TRUESIZE = 2304;
    /** Linux's default {@code wmem_default}, when it cannot be read. */
    static final int DEFAULT_SEND_BUFFER = 212_992;
    /** For this host's default send buffer. */
    static final int FRAMES = frames(sendBuffer());

    private SwitchQueue() {
    }

    /** The full frames a send buffer of {@code bytes} holds (at least one). */
    static int frames(long bytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE - 1L, bytes / FRAME_TRUESIZE));
    }

    /**
     * The host's {@code wmem_default}, read line-wise: {@code Files.readString} on this procfs file
     * returned only its first character ("2"). A value below two frames is taken as misread.
     */
    static long sendBuffer() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/core/wmem_default"))) {
            long bytes = Long.parseLong(r.readLine().strip());
            return bytes >= 2L * FRAME_TRUESIZE ? bytes : DEFAULT_SEND_BUFFER;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_SEND_BUFFER;
        }
    }
}
