package org.jioth;

import java.util.List;

/**
 * Whether a stack is alive, as {@link IothStack#health()} answers. A stack whose own machinery
 * stopped (a jnet loop that met an error it cannot go on from) is {@link State#FAILED} for good:
 * its sockets fail with an IOException naming {@link #reason()}. Interfaces whose link is down
 * (a VDE switch gone, reconnecting) leave the stack {@link State#UP} but are listed in
 * {@link #linksDown()}.
 *
 * @param state     up, failed or closed
 * @param reason    why the stack failed; for a stack that is up, why links are down for good
 *                  (their port failed, e.g. {@code "vde0: its port failed: ..."}); else empty
 * @param linksDown the names of interfaces whose carrier is down now
 * @param memoryPressure whether the stack's memory budget is under pressure now (it still works:
 *                  windows are smaller, new connections from peers are refused, data that needs
 *                  more memory is dropped for the peer to retransmit)
 */
public record StackHealth(State state, String reason, List<String> linksDown, boolean memoryPressure) {
    /** The life of a stack. */
    public enum State { UP, FAILED, CLOSED }

    public static final StackHealth UP = new StackHealth(State.UP, "", List.of());
    public static final StackHealth CLOSED = new StackHealth(State.CLOSED, "", List.of());

    public StackHealth {
        linksDown = List.copyOf(linksDown);
    }

    /** Without memory pressure. */
    public StackHealth(State state, String reason, List<String> linksDown) {
        this(state, reason, linksDown, false);
    }

    /** A failed stack, with why. */
    public static StackHealth failed(String reason) {
        return new StackHealth(State.FAILED, reason, List.of());
    }

    /** True while the stack works (even with some links down). */
    public boolean isAlive() {
        return state == State.UP;
    }

    @Override
    public String toString() {
        return switch (state) {
            case UP -> (linksDown.isEmpty() ? "up" : "up, link down: " + String.join(", ", linksDown))
                    + (memoryPressure ? ", memory pressure" : "");
            case FAILED -> "failed: " + reason;
            case CLOSED -> "closed";
        };
    }
}
