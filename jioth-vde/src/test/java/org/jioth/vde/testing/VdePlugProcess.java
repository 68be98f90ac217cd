package org.jioth.vde.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Debian's {@code vde_plug VNL} in stream mode: frames written to its stdin with the 2-byte
 * big-endian length prefix are sent into the VNL; frames from the VNL come out of its stdout
 * the same way and are collected here. Killed (by its own pid) on close.
 */
public final class VdePlugProcess implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final StringBuffer stderr = new StringBuffer();

    private VdePlugProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name("vde_plug-stdout").start(this::readFrames);
        Thread.ofPlatform().daemon().name("vde_plug-stderr").start(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/vde_plug")), "Debian's vde_plug is not installed (apt-get install vdeplug)");
    }

    /** Starts {@code prefix... vde_plug vnl} (prefix e.g. "ip netns exec NS"). */
    public static VdePlugProcess start(List<String> prefix, String vnl) throws IOException {
        assumeInstalled();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add("vde_plug");
        cmd.add(vnl);
        return new VdePlugProcess(new ProcessBuilder(cmd).start());
    }

    private void readFrames() {
        try (DataInputStream in = new DataInputStream(process.getInputStream())) {
            while (true) {
                int length = in.readUnsignedShort();
                byte[] frame = new byte[length];
                in.readFully(frame);
                received.add(frame);
            }
        } catch (EOFException e) {
            // vde_plug ended
        } catch (IOException e) {
            // closed
        }
    }

    public void send(byte[] frame) throws IOException {
        byte[] record = new byte[frame.length + 2];
        record[0] = (byte) (frame.length >>> 8);
        record[1] = (byte) frame.length;
        System.arraycopy(frame, 0, record, 2, frame.length);
        stdin.write(record);
        stdin.flush();
    }

    public byte[] pollMatching(Predicate<byte[]> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] f = received.poll(left, TimeUnit.NANOSECONDS);
            if (f != null && wanted.test(f)) {
                return f;
            }
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stderr() {
        return stderr.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            stdin.close(); // EOF on stdin ends vde_plug cleanly (vxvde sends its goodbye)
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        reader.join(5_000);
    }
}
