package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress report on a terminal ({@code sent 12.0 MiB, received 11.9 MiB, 85.3 MiB/s}),
 * rewritten in place twice a second by a virtual thread, for long transfers. {@link #onTerminal}
 * tells whether one should be shown at all: never into a file or a pipe.
 */
final class Progress implements AutoCloseable {
    private static final long PERIOD_MILLIS = 500;
    private final PrintStream err;
    private final LongSupplier sent;
    private final LongSupplier received;
    private final long start = System.nanoTime();
    private final Thread printer;
    private volatile boolean done;

    private Progress(PrintStream err, LongSupplier sent, LongSupplier received) {
        this.err = err;
        this.sent = sent;
        this.received = received;
        this.printer = Thread.ofVirtual().name("ioth-progress").start(this::run);
    }

    /** A running report, or null when file descriptor {@code fd} (2: stderr) is not a terminal. */
    static Progress onTerminal(int fd, PrintStream err, LongSupplier sent, LongSupplier received) {
        return isTerminal(fd) ? new Progress(err, sent, received) : null;
    }

    /** True when the descriptor is a terminal (Linux: /proc/self/fd/N links to a tty or pts). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private void run() {
        while (!done) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!done) {
                print();
            }
        }
    }

    private void print() {
        err.print("\r" + line(sent.getAsLong(), received.getAsLong(), System.nanoTime() - start) + "\u001b[K");
        err.flush();
    }

    /** {@code sent 1.0 MiB, received 0.5 MiB, 2.0 MiB/s} (the rate counts what came back). */
    static String line(long sentBytes, long receivedBytes, long elapsedNanos) {
        double mib = 1024.0 * 1024.0;
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        return String.format(Locale.ROOT, "sent %.1f MiB, received %.1f MiB, %.1f MiB/s",
                sentBytes / mib, receivedBytes / mib, receivedBytes / mib / seconds);
    }

    /** Prints the final figures and ends the line. */
    @Override
    public void close() {
        done = true;
        printer.interrupt();
        try {
            printer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        print();
        err.println();
    }
}
