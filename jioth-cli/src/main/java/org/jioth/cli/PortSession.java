package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * The life of a command that holds network ports until it is told to stop: a shutdown hook turns
 * Ctrl-C / SIGTERM into {@link #stopSignal()} and then waits (bounded) for the command to close its
 * ports, so switch directories and socket files are removed on a kill too.
 */
final class PortSession implements AutoCloseable {
    private static final long CLEANUP_SECONDS = 10;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    PortSession() {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(CLEANUP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ioth-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Counted down when the JVM is asked to stop or {@link #requestStop()} is called. */
    CountDownLatch stopSignal() {
        return stop;
    }

    void requestStop() {
        stop.countDown();
    }

    /** Opens {@code vnl}, reporting a failure as {@code ioth CMD: VNL: why} on {@code err}; null then. */
    static EthernetPort open(String command, String vnl, PrintStream err) {
        try {
            return EthernetPorts.open(vnl);
        } catch (IOException | RuntimeException e) {
            err.println("ioth " + command + ": " + vnl + ": " + e.getMessage());
            return null;
        }
    }

    /** Closes {@code port}, printing its counters first when {@code verbose}. */
    static void close(EthernetPort port, boolean verbose, PrintStream err) {
        if (port == null) {
            return;
        }
        try {
            port.close();
        } catch (IOException | RuntimeException e) {
            err.println("ioth: closing " + port.description() + ": " + e.getMessage());
        }
        if (verbose) {
            err.println(port.description() + ": " + port.statistics());
        }
    }

    /** The ports are closed: lets a waiting shutdown hook return, and unregisters it. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running and now returns
        }
    }
}
