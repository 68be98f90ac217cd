package org.jioth.vde.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * The port of {@code cmd://}: a child process whose stdin/stdout carry the stream framing. It ends
 * when the command exits or closes its stdout; then, as the C module, {@code VDE terminated:
 * cmd://...} is printed on stderr once. Closing the port closes the command's stdin (a vde_plug
 * ends on that), then terminates it if it is still running after a grace period.
 */
final class CmdPort implements EthernetPort {
    private static final long GRACE_SECONDS = 3;

    private final String description;
    private final Process process;
    private final StreamPort stream;
    private volatile boolean closing;

    private CmdPort(String description, Process process) {
        this.description = description;
        this.process = process;
        this.stream = StreamPort.open(description, process.getInputStream(), process.getOutputStream());
        process.onExit().thenRun(() -> {
            if (!closing) {
                System.err.println("VDE terminated: " + description);
            }
        });
    }

    static CmdPort start(String description, List<String> argv) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IOException(description + ": cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        }
        return new CmdPort(description, p);
    }

    @Override
    public boolean send(ByteBuffer frame) {
        return stream.send(frame);
    }

    @Override
    public void setSink(FrameSink sink) {
        stream.setSink(sink);
    }

    @Override
    public PortStatistics statistics() {
        return stream.statistics();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean hasEnded() {
        return stream.hasEnded() || !process.isAlive();
    }

    /** The command's process (its pid, for example). */
    ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public void close() throws IOException {
        if (closing) {
            return;
        }
        closing = true;
        try {
            stream.close(); // EOF on the command's stdin
        } finally {
            try {
                if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
