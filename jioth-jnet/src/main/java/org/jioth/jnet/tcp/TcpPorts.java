package org.jioth.jnet.tcp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The local TCP ports of a stack: who holds each one (connected sockets, listeners, TIME_WAIT
 * records, several when their bindings do not overlap or SO_REUSEADDR allows it, as Linux's
 * bind) and the ephemeral port walk. Loop-only, part of {@link TcpLayer}.
 */
final class TcpPorts {
    private static final int EPHEMERAL_STEP = 500;
    /** Draws the visible walk (never a secret). */
    private final RandomGenerator random;
    /** The layer's listeners by port: a port someone listens on is never ephemeral. */
    private final Map<Integer, List<TcpListener>> listeners;
    private final Map<Integer, List<Object>> users = new HashMap<>();
    /** Where the ephemeral port walk stands (an index into the range), -1 before the first pick. */
    private int nextEphemeral = -1;

    TcpPorts(RandomGenerator random, Map<Integer, List<TcpListener>> listeners) {
        this.random = random;
        this.listeners = listeners;
    }

    /** Whether {@code b} may take {@code port} ({@code reuse}: its SO_REUSEADDR). */
    boolean free(int port, Binding b, boolean reuse) {
        List<Object> held = users.get(port);
        if (held == null) {
            return true;
        }
        for (Object o : held) {
            boolean r = o instanceof TcpListener l ? l.reuseAddress
                    : o instanceof TimeWaitRecord tw ? tw.reuseAddress : ((TcpSocket) o).reuseAddress;
            boolean overlap = ((Binding) o).overlaps(b);
            if (overlap && !(reuse && r && !(o instanceof TcpListener))) {
                return false;
            }
        }
        return true;
    }

    /** {@code owner} (a socket, listener or TIME_WAIT record) now holds {@code port}. */
    void add(int port, Object owner) {
        users.computeIfAbsent(port, p -> new ArrayList<>(1)).add(owner);
    }

    /** {@code next} holds the port {@code owner} held, in its place (a connection becoming a TIME_WAIT record). */
    void replace(int port, Object owner, Object next) {
        List<Object> held = users.get(port);
        held.set(held.indexOf(owner), next);
    }

    void release(int port, Object owner) {
        List<Object> held = users.get(port);
        if (held != null) {
            held.remove(owner);
            if (held.isEmpty()) {
                users.remove(port);
            }
        }
    }

    /**
     * RFC 6056 algorithm 5 (random increments of 1..{@value #EPHEMERAL_STEP}): unpredictable, yet a
     * port comes back only after the walk wrapped the range. Purely random picks reused a port
     * just released about once in 5,000 connections; the peer's TIME_WAIT guard of that tuple then
     * saw the new SYN carry the same millisecond timestamp, refused it (RFC 6191), and the connect
     * waited a full SYN retransmission timeout (1 s). 0 when every port is taken.
     */
    int ephemeral() {
        int range = TcpLayer.EPHEMERAL_HIGH - TcpLayer.EPHEMERAL_LOW + 1;
        if (nextEphemeral < 0) {
            nextEphemeral = random.nextInt(range);
        }
        for (int tries = 0; tries < 64; tries++) {
            nextEphemeral = (nextEphemeral + 1 + random.nextInt(EPHEMERAL_STEP)) % range;
            int p = TcpLayer.EPHEMERAL_LOW + nextEphemeral;
            if (!users.containsKey(p) && !listeners.containsKey(p)) {
                return p;
            }
        }
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = TcpLayer.EPHEMERAL_LOW + (start + i) % range;
            if (!users.containsKey(p) && !listeners.containsKey(p)) {
                return p;
            }
        }
        return 0;
    }
}
