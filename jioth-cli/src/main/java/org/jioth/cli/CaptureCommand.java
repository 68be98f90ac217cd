package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PcapWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ioth capture VNL FILE}: joins a network and records what it receives in a pcap file. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Join a virtual network and write every frame received there to a pcap file"
                + " (nanosecond timestamps, Ethernet), readable by tshark/wireshark/tcpdump. The file is flushed"
                + " every second; stops at Ctrl-C/SIGTERM, when the network ends, or at --count / --seconds.")
final class CaptureCommand implements Callable<Integer> {
    private static final long FLUSH_MILLIS = 1000;

    @Parameters(index = "0", paramLabel = "VNL", description = "the network, e.g. vde:///tmp/sw or vxvde://239.1.2.3")
    String vnl;

    @Parameters(index = "1", paramLabel = "FILE", description = "the pcap file to write (replaced if it exists)")
    Path file;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "stop after N frames")
    long count;

    @Option(names = {"-s", "--seconds"}, paramLabel = "S", description = "stop after S seconds")
    double seconds;

    @Option(names = {"-v", "--verbose"}, description = "print the port's counters on exit")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream err = System.err;
        PcapWriter pcap;
        try {
            pcap = new PcapWriter(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            err.println("ioth capture: " + file + ": " + e.getMessage());
            return 1;
        }
        EthernetPort port = PortSession.open("capture", vnl, err);
        if (port == null) {
            closeQuietly(pcap, err);
            return 1;
        }
        PortSession session = new PortSession();
        AtomicLong captured = new AtomicLong();
        port.setSink(new FrameSink() {
            @Override
            public void frame(java.nio.ByteBuffer frame) {
                if (count > 0 && captured.get() >= count) {
                    return;
                }
                try {
                    pcap.write(frame);
                } catch (IOException e) {
                    err.println("ioth capture: " + file + ": " + e.getMessage());
                    session.requestStop();
                    return;
                }
                if (captured.incrementAndGet() == count) {
                    session.requestStop();
                }
            }
        });
        long deadline = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
        try {
            while (!port.hasEnded()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || session.stopSignal().await(Math.min(left, FLUSH_MILLIS), TimeUnit.MILLISECONDS)) {
                    break;
                }
                pcap.flush();
            }
        } catch (IOException e) {
            err.println("ioth capture: " + file + ": " + e.getMessage());
        } finally {
            port.setSink(null);
            PortSession.close(port, verbose, err);
            closeQuietly(pcap, err);
            err.println("ioth capture: " + pcap.records() + " frames written to " + file);
            session.close();
        }
        return 0;
    }

    private static void closeQuietly(PcapWriter pcap, PrintStream err) {
        try {
            pcap.close();
        } catch (IOException e) {
            err.println("ioth capture: " + e.getMessage());
        }
    }
}
