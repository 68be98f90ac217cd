package org.jioth.jnet.icmp;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.time.Timer;

/**
 * The stack's own echo requests awaiting a reply, by sequence number, for ICMPv4 and ICMPv6 alike:
 * each completes with the round-trip time on the stack clock, or fails on its timeout, on an error
 * quoting it, or when its sequence number comes round again. Loop-only.
 */
final class PendingPings {
    private final StackLoop loop;
    private final int id;
    private int seq;
    private final Map<Integer, Ping> pings = new HashMap<>();

    /** One echo request in flight. */
    final class Ping {
        final int seq;
        final long sentAt;
        final CompletableFuture<Duration> result;
        final Timer timer;

        Ping(int seq, long sentAt, CompletableFuture<Duration> result) {
            this.seq = seq;
            this.sentAt = sentAt;
            this.result = result;
            this.timer = new Timer(() -> {
                pings.remove(seq);
                result.completeExceptionally(new SocketTimeoutException("no echo reply (seq " + seq + ")"));
            });
        }

        void fail(Exception e) {
            pings.remove(seq);
            loop.timers().cancel(timer);
            result.completeExceptionally(e);
        }
    }

    PendingPings(StackLoop loop, int id) {
        this.loop = loop;
        this.id = id & 0xffff;
    }

    /** The identifier of our echo requests. */
    int id() {
        return id;
    }

    /** Registers the next sequence number for {@code result} (failing one still waiting on it); not yet timed. */
    Ping start(CompletableFuture<Duration> result) {
        int s = seq = (seq + 1) & 0xffff;
        Ping p = new Ping(s, loop.now(), result);
        Ping old = pings.put(s, p);
        if (old != null) {
            old.fail(new SocketTimeoutException("sequence number reused before a reply"));
            pings.put(s, p);
        }
        return p;
    }

    /** Starts the timeout of {@code p}. */
    void timeOut(Ping p, long timeoutNanos) {
        loop.timers().schedule(p.timer, loop.now() + timeoutNanos);
    }

    /** An echo reply with identifier {@code ident} and {@code sequence}: completes our ping, if it is one. */
    void reply(int ident, int sequence) {
        if (ident == id) {
            Ping p = pings.remove(sequence);
            if (p != null) {
                loop.timers().cancel(p.timer);
                p.result.complete(Duration.ofNanos(loop.now() - p.sentAt));
            }
        }
    }

    /** The ping waiting on {@code sequence}, or null. */
    Ping get(int sequence) {
        return pings.get(sequence);
    }
}
