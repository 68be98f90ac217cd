package org.jioth.bench;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The management console of a {@code vde_switch -M SOCK} the bench started: its per-port packet
 * counters show where frames were lost between two stacks (frames a port sent in that the switch
 * did not send out to the other).
 */
final class VdeSwitchConsole {
    private static final Pattern PORT = Pattern.compile("Port (\\d+) ");
    private static final Pattern PKTS = Pattern.compile("(IN|OUT):\\s+pkts\\s+(\\d+)");
    /** The status line ending a command's output: after a newline or right after the prompt. */
    private static final Pattern STATUS = Pattern.compile("(?:\\n|\\$ )1\\d\\d\\d [^\\n]*\\n");
    private static final long TIMEOUT_NANOS = 5_000_000_000L;

    private final Path socket;

    VdeSwitchConsole(Path socket) {
        this.socket = socket;
    }

    /**
     * Runs one console command; its output up to the status line ("1000 Success" and the like,
     * right after the prompt for commands without output). Non-blocking reads with a deadline: a
     * console that says something unexpected costs at most a few seconds, never a hang.
     */
    String command(String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.configureBlocking(false);
            ByteBuffer request = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (!STATUS.matcher(out).find()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("vde_switch console: no status line after '" + command + "'");
                }
                if (request.hasRemaining()) {
                    ch.write(request);
                }
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    sleepBriefly();
                    continue;
                }
                out.append(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
            }
            return out.toString();
        }
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted talking to the vde_switch console");
        }
    }

    void resetCounters() throws IOException {
        command("port/resetcounter");
    }

    /** "port 1 in 123 out 456, port 2 in …" for every active port (in: frames the switch got from it). */
    String portCounters() throws IOException {
        String text = command("port/print");
        List<String> ports = new ArrayList<>();
        for (String block : text.split("(?=Port \\d+ )")) {
            Matcher p = PORT.matcher(block);
            if (!p.lookingAt()) {
                continue;
            }
            long in = -1;
            long out = -1;
            Matcher m = PKTS.matcher(block);
            while (m.find()) {
                if (m.group(1).equals("IN")) {
                    in = Long.parseLong(m.group(2));
                } else {
                    out = Long.parseLong(m.group(2));
                }
            }
            ports.add("port " + Integer.parseInt(p.group(1)) + " in " + in + " out " + out);
        }
        return String.join(", ", ports);
    }
}
