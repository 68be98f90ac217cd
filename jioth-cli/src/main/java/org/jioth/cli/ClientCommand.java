package org.jioth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.IothStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/**
 * libioth's iothtest_client: connects to the echo server and joins it to stdin and stdout. Unlike
 * the seed, which stopped at end of input, it half-closes on end of input and prints the echoes
 * still on their way, so piped input is echoed whole.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = {"TCP client of the echo server on a stack (libioth's iothtest_client).",
                "Sends what it reads on stdin, prints what comes back."})
final class ClientCommand implements Callable<Integer> {
    /** The seed moves at most 1024 bytes at a time. */
    private static final int CHUNK = 1024;

    @Mixin
    SeedOptions seed;

    @Option(names = "--server", defaultValue = "192.168.250.50", description = "server address, IPv4 or IPv6 (default ${DEFAULT-VALUE})")
    String server;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        IothStack s = seed.openConfigured("client", "192.168.250.51/24", err);
        if (s == null) {
            return 1;
        }
        try {
            try (SocketChannel conn = s.provider().openSocketChannel()) {
                try {
                    conn.connect(new InetSocketAddress(InetAddress.ofLiteral(server), seed.port));
                } catch (IOException e) {
                    err.println("connect " + server + ":" + seed.port + ": " + e.getMessage());
                    return 1;
                }
                LinkWatcher.start(s, "client", err);
                relay(conn, System.in, System.out);
            }
            return StackOpener.exitCode(s, "client", err);
        } finally {
            s.closeForcibly();
        }
    }

    /** stdin → socket on a virtual thread, socket → stdout here, until the server closes. */
    static void relay(SocketChannel conn, InputStream in, PrintStream out) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        // Piped input and output with stderr on a terminal: a long transfer shows one line of progress there.
        boolean piped = !Progress.isTerminal(0) && !Progress.isTerminal(1);
        Progress progress = piped ? Progress.onTerminal(2, System.err, sent::get, received::get) : null;
        Thread sender = Thread.ofVirtual().name("ioth-client-stdin").start(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        conn.write(bb);
                    }
                    sent.addAndGet(n);
                }
                conn.shutdownOutput();
            } catch (IOException e) {
                // The connection closed under us: the reader sees it and ends.
            }
        });
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try {
            while (conn.read(buf.clear()) > 0) {
                out.write(buf.array(), 0, buf.position());
                out.flush();
                received.addAndGet(buf.position());
            }
        } catch (IOException e) {
            // Reset by the peer ends the session like end of file.
        }
        sender.interrupt();
        if (progress != null) {
            progress.close();
        }
    }
}
