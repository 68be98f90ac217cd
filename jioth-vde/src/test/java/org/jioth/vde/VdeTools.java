package org.jioth.vde;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import org.jioth.testkit.SwitchControl;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real Debian VDE tools as test peers: vde_switch with a management console, vde_plug in stream mode. */
final class VdeTools {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private VdeTools() {
    }

    static void assumeTool(String name) {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                found = true;
            }
        }
        assumeTrue(found, name + " is not installed (Debian: apt-get install vde2 vdeplug); interop test skipped");
    }

    static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(x);
                }
            }
        }
    }

    /** {@code vde_switch -s DIR -M MGMT} in the foreground (its stdin held open). */
    static final class VdeSwitch implements AutoCloseable {
        final Path dir;
        final Path mgmt;
        final Process process;

        VdeSwitch(Path base, boolean hub) throws Exception {
            this(List.of(), base, hub);
        }

        /** With a command prefix, e.g. setpriv to run it as another user. */
        VdeSwitch(List<String> prefix, Path base, boolean hub) throws Exception {
            assumeTool("vde_switch");
            dir = base.resolve("sw");
            mgmt = base.resolve("mgmt");
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of("vde_switch", "-s", dir.toString(), "-M", mgmt.toString()));
            if (hub) {
                cmd.add("-x");
            }
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(base.resolve("vde_switch.log").toFile()).start();
            waitUntil("vde_switch to create " + dir + "/ctl and " + mgmt,
                    () -> SwitchControl.listening(dir) && Files.exists(mgmt) || !process.isAlive());
            if (!process.isAlive()) {
                throw new AssertionError("vde_switch exited: " + Files.readString(base.resolve("vde_switch.log")));
            }
        }

        /** True once a port described as {@code description} is on the switch (console port/print). */
        boolean hasPort(String description) {
            try {
                return command("port/print").contains(description);
            } catch (IOException e) {
                return false;
            }
        }

        /** Runs a console command and returns its output lines (between DATA and the status). */
        String command(String command) throws IOException {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(mgmt))) {
                ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
                StringBuilder out = new StringBuilder();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!out.toString().matches("(?s).*\\n1\\d\\d\\d [^\\n]*\\n.*") && System.nanoTime() < deadline) {
                    buf.clear();
                    if (ch.read(buf) < 0) {
                        break;
                    }
                    out.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                }
                return out.toString();
            }
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            deleteTree(dir);
            Files.deleteIfExists(mgmt);
        }
    }

    /** {@code vde_plug [-D descr] VNL} with frames on stdin/stdout in the 2-byte big-endian length framing. */
    static final class VdePlug implements AutoCloseable {
        final Process process;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        private final OutputStream stdin;
        private final Thread reader;

        VdePlug(String description, String vnl) throws IOException {
            this(List.of(), description, vnl);
        }

        /** With a command prefix, e.g. setpriv to run it as another user. */
        VdePlug(List<String> prefix, String description, String vnl) throws IOException {
            assumeTool("vde_plug");
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of("vde_plug", "-D", description, vnl));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            stdin = process.getOutputStream();
            InputStream out = process.getInputStream();
            reader = Thread.ofPlatform().daemon(true).name("vde_plug-reader").start(() -> {
                DataInputStream in = new DataInputStream(out);
                try {
                    while (true) {
                        int len = in.readUnsignedShort();
                        byte[] f = new byte[len];
                        in.readFully(f);
                        received.add(f);
                    }
                } catch (EOFException e) {
                    // vde_plug ended
                } catch (IOException e) {
                    // stream closed by close()
                }
            });
        }

        void send(byte[] frame) throws IOException {
            byte[] rec = new byte[2 + frame.length];
            rec[0] = (byte) (frame.length >> 8);
            rec[1] = (byte) frame.length;
            System.arraycopy(frame, 0, rec, 2, frame.length);
            stdin.write(rec);
            stdin.flush();
        }

        /** The next frame, or null after the timeout. */
        byte[] next(Duration timeout) throws InterruptedException {
            return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            try {
                stdin.close(); // EOF on stdin ends vde_plug
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                reader.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
