package org.jioth.vdestack;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.FdPassing;
import org.jioth.linux.unix.PeerCredentials;
import org.jioth.linux.unix.UnixSocket;

/**
 * The stack's side of a {@link NamespaceHelper}: starts it under {@code unshare}, accepts its
 * connection on a SOCK_SEQPACKET socket in a private temporary directory (removed as soon as the
 * helper is connected), and asks it for taps and sockets.
 *
 * <p>Why a separate process: a JVM is multi-threaded, so it cannot {@code unshare(CLONE_NEWUSER)}
 * itself, and an unprivileged thread cannot {@code setns} into a network namespace. The helper is a
 * small JVM (serial GC, C1 only, small heap) because the only native code jioth has is Java FFM.
 */
final class HelperProcess implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HelperProcess.class.getName());
    /** How long the helper may take to start and connect (a JVM on a loaded machine). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long one request may take. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final HelperChannel channel;

    private HelperProcess(Process process, UnixSocket channel) {
        this.process = process;
        this.channel = new HelperChannel(channel, REQUEST_TIMEOUT);
    }

    /** Starts a helper in a new user+network namespace and waits until it is connected. */
    static HelperProcess start() throws IOException {
        Path dir = Files.createTempDirectory("jioth-vdestack-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socketPath = dir.resolve("ctl");
        UnixSocket listener = null;
        Process process = null;
        try {
            listener = UnixSocket.open(UnixSocket.Type.SEQPACKET);
            listener.bind(socketPath.toString());
            listener.listen(1);
            process = new ProcessBuilder(command(socketPath.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            UnixSocket accepted = awaitConnection(listener, process);
            try {
                checkPeer(accepted, process.pid(), (Integer) Files.getAttribute(dir, "unix:uid"));
            } catch (IOException | RuntimeException e) {
                accepted.close();
                throw e;
            }
            drainErrors(process);
            return new HelperProcess(process, accepted);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            throw e;
        } finally {
            if (listener != null) {
                listener.close();
            }
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The connection must come from the helper we started, running as our user: SO_PEERCRED as the
     * kernel reports it here (the helper is root in its own user namespace, mapped to our uid).
     * The socket's directory is ours and private, so this is a second lock, not the only one.
     */
    static void checkPeer(UnixSocket accepted, long helperPid, int ourUid) throws IOException {
        PeerCredentials peer = PeerCredentials.of(accepted);
        if (peer.pid() != helperPid || peer.uid() != ourUid) {
            throw new IOException("vdestack: refused a helper connection from pid " + peer.pid() + " uid " + peer.uid()
                    + " (expected the helper we started, pid " + helperPid + ", running as uid " + ourUid + ")");
        }
    }

    private static UnixSocket awaitConnection(UnixSocket listener, Process process) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            UnixSocket accepted = listener.accept();
            if (accepted != null) {
                return accepted;
            }
            if (!process.isAlive()) {
                String err = new String(process.getErrorStream().readAllBytes()).strip();
                throw new IOException("vdestack: the namespace helper exited with status " + process.exitValue()
                        + (err.isEmpty() ? "" : ": " + err)
                        + " (it needs unprivileged user namespaces, 'unshare' from util-linux, and /dev/net/tun"
                        + " readable and writable by this user)");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("vdestack: the namespace helper did not connect within " + START_TIMEOUT);
            }
            HelperChannel.waitReadable(listener.fd(), Duration.ofMillis(100));
        }
    }

    /** The helper's stderr goes to our log, so its diagnostics are not lost and the pipe never fills. */
    private static void drainErrors(Process process) {
        Thread.ofVirtual().name("jioth-vdestack-helper-stderr").start(() -> {
            try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(process.getErrorStream()))) {
                String line;
                while ((line = err.readLine()) != null) {
                    String l = line;
                    LOG.log(System.Logger.Level.WARNING, () -> "vdestack helper " + process.pid() + ": " + l);
                }
            } catch (IOException e) {
                // the helper is gone
            }
        });
    }

    /** The helper's JVM without an AOT cache: C1 only, so it starts quickly and stays small. */
    static final List<String> JIT_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx48m", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-XX:-UsePerfData", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED");
    /**
     * The helper's JVM with an AOT cache ({@link HelperAotCache}): C1 with one compiler thread, a
     * smaller heap and code cache. Not interpreted only: that saves another 10 MB but halves the
     * connections per second, since every socket a client opens is a request to the helper.
     */
    static final List<String> AOT_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms4m", "-Xmx32m", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Xss256k", "-XX:ReservedCodeCacheSize=8m", "-XX:-UsePerfData",
            "--enable-native-access=ALL-UNNAMED");

    static List<String> command(String socketPath) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "--net"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = helperClassPath();
        java.util.Optional<Path> aot = HelperAotCache.forHelper(AOT_OPTIONS, classPath);
        if (aot.isPresent()) {
            cmd.addAll(AOT_OPTIONS);
            cmd.add("-XX:AOTCache=" + aot.get());
        } else {
            cmd.addAll(JIT_OPTIONS);
        }
        cmd.addAll(List.of("-cp", classPath, NamespaceHelper.class.getName(), socketPath,
                Long.toString(ProcessHandle.current().pid())));
        return cmd;
    }

    /** Where the helper's classes are: the code sources of this module, jioth-linux and jioth-api. */
    static String helperClassPath() {
        String override = System.getProperty("jioth.vdestack.helper.classpath");
        if (override != null && !override.isBlank()) {
            return override;
        }
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {NamespaceHelper.class, FdPassing.class, Errno.class}) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException | SecurityException e) {
                throw new IllegalStateException("cannot locate the classes of " + c.getName()
                        + " for the vdestack helper; set -Djioth.vdestack.helper.classpath", e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    long pid() {
        return process.pid();
    }

    /** socket(domain, type, protocol) inside the namespace. */
    int socket(int domain, int type, int protocol) throws ErrnoException {
        return channel.socket(domain, type, protocol);
    }

    /** A new tap interface {@code name} inside the namespace. */
    int tap(String name) throws ErrnoException {
        return channel.tap(name);
    }

    /** Ends the helper: closing the connection makes it exit; it is killed if it has not within 10 s. */
    @Override
    public void close() {
        channel.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
