package org.jioth.nio;

/**
 * A channel whose readiness is computed in Java and published through a {@link Readiness}.
 * Channels of a user-space stack implement this so that a {@link ReadinessSelector} of the same
 * provider can select them. The channel must also extend
 * {@link java.nio.channels.spi.AbstractSelectableChannel} (every JDK channel type does).
 */
public interface ReadinessSource {
    /** The readiness helper this channel created in its constructor; never null, never replaced. */
    Readiness readiness();
}
