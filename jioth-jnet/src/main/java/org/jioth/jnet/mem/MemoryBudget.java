package org.jioth.jnet.mem;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bytes a stack's transport buffers may hold: TCP rings (and each connection's objects with a
 * reserve for its first rings), UDP receive queues, IPv4 and IPv6 reassembly. Modelled on Linux's
 * {@code tcp_mem}: below {@link #pressureAt()} everything may grow; above it the stack is under
 * <em>memory pressure</em> (receive windows stop opening beyond the ring already held, out-of-order
 * data is pruned, new passive connections are refused, a connection may grow only below its fair
 * share); at {@link #limit()} every new charge is refused (the data is dropped and counted, the peer
 * retransmits). Pressure ends once use falls below {@link #relaxAt()}.
 *
 * <p>A budget may have a parent (the JVM-wide budget shared by every stack): a charge must fit
 * both. Charges come from the loop and from application threads (a write into a send buffer), so
 * the accounting is atomic; the events are counted here, not in the loop-only counters.
 */
public final class MemoryBudget {
    /** The smallest budget accepted. */
    public static final long MIN_LIMIT = 256 * 1024;

    /** What the budget counts (read them with {@link #events()}). */
    public enum Event {
        PRESSURE_ENTERED("Mem.PressureEvents"),
        REFUSED("Mem.Refused"),
        CONNECTIONS_REFUSED("Mem.ConnectionsRefused"),
        TCP_RCV_DROPS("Mem.TcpRcvQDrops"),
        TCP_OFO_DROPS("Mem.TcpOfoDrops"),
        TCP_OFO_PRUNED("Mem.TcpOfoPruned"),
        TCP_WINDOW_CLAMPED("Mem.TcpWindowClamped"),
        TCP_SEND_REFUSED("Mem.TcpSendRefused"),
        UDP_DROPS("Mem.UdpDrops"),
        REASM_DROPS("Mem.ReasmDrops");

        private final String key;

        Event(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private static final Event[] EVENTS = Event.values();
    private static volatile MemoryBudget jvm;
    private static final Object JVM_LOCK = new Object();

    private final String name;
    private final long limit;
    private final long pressureAt;
    private final long relaxAt;
    private final MemoryBudget parent;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLongArray events = new AtomicLongArray(EVENTS.length);
    private final AtomicBoolean pressure = new AtomicBoolean();
    /** What this budget holds in its parent; -1 once closed (its charges went back to the parent). */
    private final AtomicLong forwarded = new AtomicLong();
    private volatile Runnable onPressure = () -> { };

    /** A budget of {@code limit} bytes within {@code parent} (null: none). */
    public MemoryBudget(String name, long limit, MemoryBudget parent) {
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("memory budget " + limit + " below the minimum " + MIN_LIMIT);
        }
        this.name = name;
        this.limit = limit;
        this.pressureAt = limit / 4 * 3;
        this.relaxAt = limit / 2;
        this.parent = parent;
    }

    /** A stack's default: a quarter of the heap the JVM may use, within the JVM-wide budget. */
    public static MemoryBudget forStack(long limit) {
        return new MemoryBudget("stack", limit > 0 ? limit : defaultStackLimit(), jvm());
    }

    /** A quarter of {@code Runtime.maxMemory()}, at least 16 MiB. */
    public static long defaultStackLimit() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * The budget shared by every jnet stack of this JVM (of this class loader): system property
     * {@code jioth.jnet.jvmbudget} (a size as {@link #parseSize}, {@code 0} = none), by default half
     * of {@code Runtime.maxMemory()}. Null when turned off.
     */
    public static MemoryBudget jvm() {
        MemoryBudget b = jvm;
        if (b == null) {
            synchronized (JVM_LOCK) {
                b = jvm;
                if (b == null) {
                    String p = System.getProperty("jioth.jnet.jvmbudget", "");
                    long n = p.isBlank() ? Runtime.getRuntime().maxMemory() / 2 : parseSize(p, "jioth.jnet.jvmbudget");
                    b = n == 0 ? new MemoryBudget("jvm", Long.MAX_VALUE, null) : new MemoryBudget("jvm", n, null);
                    jvm = b;
                }
            }
        }
        return b.limit == Long.MAX_VALUE ? null : b;
    }

    /**
     * A size: bytes, or a number with {@code k}, {@code m} or {@code g} (binary units), e.g.
     * {@code 64m}. {@code what} names the setting in errors.
     */
    public static long parseSize(String text, String what) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": not a size (want bytes or a number with k, m or g): " + text);
        }
        if (n < 0 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException(what + ": out of range: " + text);
        }
        return n * unit;
    }

    public long limit() {
        return limit;
    }

    /** Above this the stack is under memory pressure. */
    public long pressureAt() {
        return pressureAt;
    }

    /** Pressure ends below this. */
    public long relaxAt() {
        return relaxAt;
    }

    public long used() {
        return used.get();
    }

    /** The most ever charged at once. */
    public long peak() {
        return peak.get();
    }

    public MemoryBudget parent() {
        return parent;
    }

    /** Connections admitted and not yet gone. */
    public int connections() {
        return connections.get();
    }

    /** Whether this budget or its parent is under memory pressure now. */
    public boolean underPressure() {
        return pressure.get() || parent != null && parent.underPressure();
    }

    /** Runs (on whatever thread charged) each time this budget enters pressure. */
    public void onPressure(Runnable r) {
        this.onPressure = r;
    }

    /**
     * Charges {@code bytes} if use stays within {@code ceiling} here (and the parent's limit):
     * true when charged.
     */
    private boolean charge(long bytes, long ceiling) {
        if (bytes <= 0) {
            return true;
        }
        long u;
        do {
            u = used.get();
            if (u + bytes > ceiling) {
                enterPressure();
                events.getAndIncrement(Event.REFUSED.ordinal());
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        if (parent != null && !forward(bytes)) {
            used.addAndGet(-bytes);
            events.getAndIncrement(Event.REFUSED.ordinal());
            return false;
        }
        long now = u + bytes;
        peak.accumulateAndGet(now, Math::max);
        if (now > pressureAt) {
            enterPressure();
        }
        return true;
    }

    /** Charges the parent too: first there, then recorded here (a close in between gives it back). */
    private boolean forward(long bytes) {
        if (!parent.charge(bytes, parent.limit)) {
            return false;
        }
        long f;
        do {
            f = forwarded.get();
            if (f < 0) {
                parent.release(bytes); // closed meanwhile
                return false;
            }
        } while (!forwarded.compareAndSet(f, f + bytes));
        return true;
    }

    /**
     * The stack is closed: whatever it still holds goes back to the parent at once (connections
     * alive at close are never released one by one), and nothing more is charged.
     */
    public void close() {
        if (parent != null) {
            long f = forwarded.getAndSet(-1);
            if (f > 0) {
                parent.release(f);
            }
        }
    }

    private void enterPressure() {
        if (pressure.compareAndSet(false, true)) {
            events.getAndIncrement(Event.PRESSURE_ENTERED.ordinal());
            onPressure.run();
        }
    }

    /** Gives {@code bytes} back. */
    public void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        long now = used.addAndGet(-bytes);
        if (parent != null) {
            long f;
            do {
                f = forwarded.get();
            } while (f >= 0 && !forwarded.compareAndSet(f, f - bytes));
            if (f >= 0) {
                parent.release(bytes);
            }
        }
        if (now < relaxAt && pressure.get()) {
            pressure.set(false);
        }
    }

    /**
     * A new connection and the reserve for its first rings: refused above the pressure mark when
     * a peer asked for it ({@code passive}), above the limit when the application did.
     */
    public boolean admitConnection(long cost, boolean passive) {
        boolean pressed = passive && parent != null && parent.underPressure();
        if (pressed || !charge(cost, passive ? pressureAt : limit)) {
            events.getAndIncrement(Event.CONNECTIONS_REFUSED.ordinal());
            return false;
        }
        connections.incrementAndGet();
        return true;
    }

    /** A connection admitted by {@link #admitConnection} is gone. */
    public void releaseConnection(long cost) {
        connections.decrementAndGet();
        release(cost);
    }

    /**
     * Growth of a buffer that holds {@code held} bytes now by {@code bytes}: within the limit, and
     * under pressure only while the holder stays below its fair share (the limit divided among
     * the connections, as Linux lets a socket below its share allocate under pressure).
     */
    public boolean grow(long bytes, long held) {
        if (underPressure()) {
            long share = limit / Math.max(1, connections.get());
            if (held + bytes > share) {
                events.getAndIncrement(Event.REFUSED.ordinal());
                return false;
            }
        }
        return charge(bytes, limit);
    }

    /** Any other charge (a queued datagram, a reassembly buffer): within the limit. */
    public boolean charge(long bytes) {
        return charge(bytes, limit);
    }

    /** Counts {@code e}. */
    public void count(Event e) {
        events.getAndIncrement(e.ordinal());
    }

    /** The budget's figures and events by name ({@code Mem.Used}, {@code Mem.PressureEvents}...). */
    public Map<String, Long> events() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("Mem.Limit", limit);
        m.put("Mem.Used", used.get());
        m.put("Mem.Peak", peak.get());
        m.put("Mem.Pressure", underPressure() ? 1L : 0L);
        for (Event e : EVENTS) {
            m.put(e.key(), events.get(e.ordinal()));
        }
        if (parent != null) {
            m.put("Mem.JvmLimit", parent.limit);
            m.put("Mem.JvmUsed", parent.used.get());
        }
        return m;
    }

    /** One event's count. */
    public long get(Event e) {
        return events.get(e.ordinal());
    }

    @Override
    public String toString() {
        return name + " memory " + used.get() + "/" + limit + (underPressure() ? " (pressure)" : "");
    }
}
