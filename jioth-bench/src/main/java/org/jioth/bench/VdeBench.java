package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jioth.bench.SwitchUnderTest.Clients;

/**
 * Frame forwarding macro benchmark: one endpoint sends frames of one size to another as fast as its
 * next hop accepts them, through a switch, for a bounded time and count; the receiver counts what
 * arrives. Reports delivered frames/s, Gbit/s and loss. Performance is printed, never asserted.
 */
public final class VdeBench {
    static final byte[] SENDER_MAC = {0x02, 0, 0, 0, 0, 0x0a};
    static final byte[] RECEIVER_MAC = {0x02, 0, 0, 0, 0, 0x0b};
    static final int HELLO_LENGTH = 60;
    /** The receiver is done when its count has not moved for this long after the sender stopped. */
    static final Duration QUIET = Duration.ofMillis(300);

    /** What is measured. */
    public enum Case {
        IN_JVM("in-jvm", "in-JVM EthernetNode switch", Clients.JIOTH),
        OUR_SWITCH_JIOTH("switch-jioth", "our switch:// (own JVM)", Clients.JIOTH),
        OUR_SWITCH_VDE_PLUG("switch-vdeplug", "our switch:// (own JVM)", Clients.VDE_PLUG),
        VDE_SWITCH_JIOTH("vde_switch-jioth", "vde_switch", Clients.JIOTH),
        VDE_SWITCH_VDE_PLUG("vde_switch-vdeplug", "vde_switch", Clients.VDE_PLUG);

        public final String id;
        final String network;
        final Clients clients;

        Case(String id, String network, Clients clients) {
            this.id = id;
            this.network = network;
            this.clients = clients;
        }

        String clientsText() {
            return this == IN_JVM ? "2 NodePorts" : clients == Clients.JIOTH ? "2 jioth vde://" : "2 vde_plug (stream)";
        }

        public static Case byId(String id) {
            for (Case c : values()) {
                if (c.id.equals(id)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown case '" + id + "' (known: "
                    + String.join(", ", EnumSet.allOf(Case.class).stream().map(c -> c.id).toList()) + ")");
        }
    }

    /** How long and how much: each measured run lasts at most {@code duration} and {@code maxFrames}. */
    public record Options(Set<Case> cases, List<Integer> frameSizes, Duration duration, Duration warmup, long maxFrames) {
        public Options {
            if (frameSizes.stream().anyMatch(s -> s < 14 || s > 9234)) {
                throw new IllegalArgumentException("frame sizes must be 14..9234: " + frameSizes);
            }
            if (duration.isNegative() || duration.isZero() || maxFrames < 1) {
                throw new IllegalArgumentException("duration and frame count must be positive");
            }
        }

        public static Options defaults() {
            return new Options(EnumSet.allOf(Case.class), List.of(64, 1514), Duration.ofSeconds(3), Duration.ofSeconds(1),
                    50_000_000);
        }
    }

    /** One measured run. {@code seconds} runs from the first send to the last frame received. */
    public record Result(Case benchCase, int frameSize, long sent, long delivered, long refused, double seconds,
            String skipped) {
        public double framesPerSecond() {
            return seconds > 0 ? delivered / seconds : 0;
        }

        public double gigabitsPerSecond() {
            return framesPerSecond() * frameSize * 8 / 1e9;
        }

        public long lost() {
            return sent - delivered;
        }

        public double lossPercent() {
            return sent == 0 ? 0 : 100.0 * lost() / sent;
        }
    }

    private final Options options;
    private final PrintStream log;

    public VdeBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        VdeBench bench = new VdeBench(Options.defaults(), System.err);
        printTable(bench.run(), System.out);
    }

    /** Runs every selected case at every frame size; cases whose tools are missing are reported as skipped. */
    public List<Result> run() throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        for (Case c : options.cases()) {
            String missing = missingTool(c);
            if (missing != null) {
                for (int size : options.frameSizes()) {
                    results.add(new Result(c, size, 0, 0, 0, 0, missing));
                }
                continue;
            }
            try (SwitchUnderTest network = open(c);
                    Endpoint sender = network.endpoint(c.clients, "bench-sender");
                    Endpoint receiver = network.endpoint(c.clients, "bench-receiver")) {
                introduce(sender, receiver);
                for (int size : options.frameSizes()) {
                    byte[] frame = frame(size);
                    if (!options.warmup().isZero()) {
                        log.printf("%s, %d bytes: warming up %d ms%n", c.id, size, options.warmup().toMillis());
                        measure(c, sender, receiver, frame, options.warmup());
                    }
                    Result r = measure(c, sender, receiver, frame, options.duration());
                    log.printf(Locale.ROOT, "%s, %d bytes: %,.0f frames/s, %.3f Gbit/s, loss %.2f%%%n", c.id, size,
                            r.framesPerSecond(), r.gigabitsPerSecond(), r.lossPercent());
                    results.add(r);
                }
            }
        }
        return results;
    }

    private static String missingTool(Case c) {
        if ((c == Case.VDE_SWITCH_JIOTH || c == Case.VDE_SWITCH_VDE_PLUG) && !SwitchUnderTest.External.vdeSwitchInstalled()) {
            return "vde_switch not installed";
        }
        if (c.clients == Clients.VDE_PLUG && !PlugEndpoint.isInstalled()) {
            return "vde_plug not installed";
        }
        return null;
    }

    private static SwitchUnderTest open(Case c) throws IOException {
        return switch (c) {
            case IN_JVM -> new SwitchUnderTest.InJvm();
            case OUR_SWITCH_JIOTH, OUR_SWITCH_VDE_PLUG -> SwitchUnderTest.External.ours();
            case VDE_SWITCH_JIOTH, VDE_SWITCH_VDE_PLUG -> SwitchUnderTest.External.vdeSwitch();
        };
    }

    /**
     * The receiver broadcasts hellos until one reaches the sender: then both are connected and the
     * switch has learned the receiver's MAC, so the measured frames are forwarded, not flooded.
     */
    private static void introduce(Endpoint sender, Endpoint receiver) throws IOException {
        byte[] hello = new byte[HELLO_LENGTH];
        ByteBuffer.wrap(hello).put(new byte[] {-1, -1, -1, -1, -1, -1}).put(RECEIVER_MAC).putShort((short) 0x88b5);
        byte[] senderHello = new byte[HELLO_LENGTH];
        ByteBuffer.wrap(senderHello).put(new byte[] {-1, -1, -1, -1, -1, -1}).put(SENDER_MAC).putShort((short) 0x88b5);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sender.received().others() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the two clients cannot reach each other through the switch within 20 s");
            }
            receiver.sendOnce(hello);
            sender.sendOnce(senderHello);
            SwitchUnderTest.sleep(50);
        }
    }

    /** dst receiver, src sender, ethertype 0x88b5 (local experimental), a counting payload. */
    static byte[] frame(int size) {
        byte[] f = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(f).put(RECEIVER_MAC).put(SENDER_MAC).putShort((short) 0x88b5);
        for (int i = 14; i < size; i++) {
            b.put((byte) i);
        }
        return f;
    }

    private Result measure(Case c, Endpoint sender, Endpoint receiver, byte[] frame, Duration duration)
            throws IOException, InterruptedException {
        FrameCounter counter = receiver.received();
        counter.expect(frame.length);
        AtomicLong sent = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        Thread blaster = Thread.ofPlatform().name("bench-sender").start(() -> {
            try {
                sent.set(sender.blast(frame, deadline, options.maxFrames()));
            } catch (Throwable t) {
                failure.set(t);
                sent.set(0);
            }
        });
        // watch the receiver: note when its count last moved (no clock read per frame)
        long last = 0;
        long lastChange = start;
        long hardStop = deadline + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            Thread.sleep(1);
            long now = System.nanoTime();
            long n = counter.count();
            if (n != last) {
                last = n;
                lastChange = now;
            }
            boolean senderDone = sent.get() >= 0;
            if (senderDone && (n >= sent.get() || now - lastChange > QUIET.toNanos()) || now > hardStop) {
                break;
            }
        }
        blaster.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() != null) {
            throw new IOException(c.id + ": the sender failed: " + failure.get(), failure.get());
        }
        long delivered = counter.count();
        return new Result(c, frame.length, Math.max(0, sent.get()), delivered, sender.refused(),
                (lastChange - start) / 1e9, null);
    }

    /** A Markdown table of {@code results}. */
    /** The results as data for CSV, JSON or a chart (figures as numbers; a skipped case has its reason). */
    public static BenchTable table(List<Result> results) {
        List<List<Object>> out = new ArrayList<>();
        for (Result r : results) {
            boolean ran = r.skipped() == null;
            List<Object> v = new ArrayList<>();
            v.add(r.benchCase().network);
            v.add(r.benchCase().clientsText());
            v.add(r.frameSize());
            v.add(ran ? r.sent() : null);
            v.add(ran ? r.delivered() : null);
            v.add(ran ? r.refused() : null);
            v.add(ran ? r.lossPercent() : null);
            v.add(ran ? r.framesPerSecond() : null);
            v.add(ran ? r.gigabitsPerSecond() : null);
            v.add(ran ? r.seconds() : null);
            v.add(ran ? "" : r.skipped());
            out.add(v);
        }
        return new BenchTable(List.of("network", "clients", "frame_bytes", "sent", "delivered", "refused", "loss_percent",
                "frames_per_s", "gbit_per_s", "seconds", "skipped"), out);
    }

    public static void printTable(List<Result> results, PrintStream out) {
        out.println("| network | clients | frame (bytes) | sent | delivered | loss | frames/s | Gbit/s |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            if (r.skipped() != null) {
                out.printf("| %s | %s | %d | skipped: %s | | | | |%n", r.benchCase().network, r.benchCase().clientsText(),
                        r.frameSize(), r.skipped());
                continue;
            }
            out.printf(Locale.ROOT, "| %s | %s | %d | %,d | %,d | %.2f %% | %,.0f | %.3f |%n", r.benchCase().network,
                    r.benchCase().clientsText(), r.frameSize(), r.sent(), r.delivered(), r.lossPercent(),
                    r.framesPerSecond(), r.gigabitsPerSecond());
        }
    }
}
