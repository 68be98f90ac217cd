package org.jioth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code vde_plug VNL} in stream mode: frames written to its stdin (length-prefixed,
 * {@link FrameStream}) go into the network; frames from the network come out of its stdout and are
 * counted by a reader thread. Killed by its own pid on close.
 */
final class PlugEndpoint implements Endpoint {
    /** Records per write: big enough to amortise the pipe write, small enough to stop on time. */
    private static final int CHUNK_FRAMES = 64;

    private final Process process;
    private final OutputStream stdin;
    private final FrameCounter counter = new FrameCounter();
    private final FrameStream.Decoder decoder = new FrameStream.Decoder(counter);
    private final Thread reader;

    PlugEndpoint(String vnl, String description) throws IOException {
        process = new ProcessBuilder(List.of("vde_plug", "-D", description, vnl))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        stdin = process.getOutputStream();
        InputStream out = process.getInputStream();
        reader = Thread.ofPlatform().daemon().name("vde_plug-reader").start(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = out.read(buf)) >= 0) {
                    decoder.feed(buf, 0, n);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** Whether Debian's vde_plug is there. */
    static boolean isInstalled() {
        return java.nio.file.Files.isExecutable(Path.of("/usr/bin/vde_plug"));
    }

    @Override
    public void sendOnce(byte[] frame) throws IOException {
        stdin.write(FrameStream.encode(frame, 1));
        stdin.flush();
    }

    @Override
    public long blast(byte[] frame, long deadlineNanos, long maxFrames) throws IOException {
        byte[] chunk = FrameStream.encode(frame, CHUNK_FRAMES);
        // A write blocks while vde_plug is behind; if it stays blocked long after the deadline the
        // plug is stuck, so it is killed, which ends the write with an error.
        Thread watchdog = Thread.ofPlatform().daemon().name("vde_plug-watchdog").start(() -> {
            try {
                long wait = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                process.destroyForcibly();
            } catch (InterruptedException e) {
                // blast finished in time
            }
        });
        long sent = 0;
        try {
            while (sent + CHUNK_FRAMES <= maxFrames && System.nanoTime() - deadlineNanos < 0) {
                stdin.write(chunk);
                sent += CHUNK_FRAMES;
            }
            stdin.flush();
        } finally {
            watchdog.interrupt();
        }
        return sent;
    }

    @Override
    public FrameCounter received() {
        return counter;
    }

    @Override
    public long refused() {
        return 0; // vde_plug blocks instead of refusing
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            stdin.close(); // EOF ends vde_plug
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
