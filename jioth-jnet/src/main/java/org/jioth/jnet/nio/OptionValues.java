package org.jioth.jnet.nio;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import org.jioth.jnet.JnetSocketOptions;
import org.jioth.jnet.tcp.TcpConfig;

/**
 * What a socket channel's options are, as the application set them, readable on any thread
 * without a trip to the stack loop. Frameworks set and read options on every accepted
 * connection (Netty: TCP_NODELAY on, SO_SNDBUF read back); a synchronous loop call for each was
 * two thread hand-offs per option. The loop's {@link TcpConfig} stays the copy that protocol code
 * reads: the channel posts each change there in order, and only when the value changes.
 */
final class OptionValues {
    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile boolean pacing;
    private volatile int keepAliveIdle;
    private volatile int keepAliveInterval;
    private volatile int keepAliveCount;
    private volatile int sendBuffer;
    private volatile int receiveBuffer;

    /**
     * Starts from {@code cfg}, which the calling thread must see whole: a new socket's config, or
     * an accepted one's, handed over by the listener's queue and changed since only by the channel.
     */
    OptionValues(TcpConfig cfg) {
        noDelay = cfg.noDelay;
        keepAlive = cfg.keepAlive;
        pacing = cfg.pacing;
        keepAliveIdle = (int) (cfg.keepAliveIdle / 1_000_000_000L);
        keepAliveInterval = (int) (cfg.keepAliveInterval / 1_000_000_000L);
        keepAliveCount = cfg.keepAliveCount;
        sendBuffer = cfg.sendBuffer;
        receiveBuffer = cfg.receiveBuffer;
    }

    /** The options whose changes need no answer from the loop (no sizes to clamp against state). */
    static boolean isFlagOrTimer(SocketOption<?> name) {
        return name == StandardSocketOptions.TCP_NODELAY || name == StandardSocketOptions.SO_KEEPALIVE
                || name == JnetSocketOptions.TCP_PACING || isKeepAliveTimer(name);
    }

    private static boolean isKeepAliveTimer(SocketOption<?> name) {
        return name != null && (name == KeepAliveOptions.IDLE || name == KeepAliveOptions.INTERVAL
                || name == KeepAliveOptions.COUNT);
    }

    /** The value of {@code name}, or null when this does not hold it. */
    Object get(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return noDelay;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return keepAlive;
        } else if (name == JnetSocketOptions.TCP_PACING) {
            return pacing;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return sendBuffer;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return receiveBuffer;
        } else if (name == null) {
            return null;
        } else if (name == KeepAliveOptions.IDLE) {
            return keepAliveIdle;
        } else if (name == KeepAliveOptions.INTERVAL) {
            return keepAliveInterval;
        } else if (name == KeepAliveOptions.COUNT) {
            return keepAliveCount;
        }
        return null;
    }

    /**
     * Records a flag or timer option ({@link #isFlagOrTimer}, value already checked); false when
     * it already had that value, so the loop need not hear of it.
     */
    boolean change(SocketOption<?> name, Object value) {
        if (value.equals(get(name))) {
            return false;
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            noDelay = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
        } else if (name == JnetSocketOptions.TCP_PACING) {
            pacing = (Boolean) value;
        } else if (name == KeepAliveOptions.IDLE) {
            keepAliveIdle = (Integer) value;
        } else if (name == KeepAliveOptions.INTERVAL) {
            keepAliveInterval = (Integer) value;
        } else if (name == KeepAliveOptions.COUNT) {
            keepAliveCount = (Integer) value;
        } else {
            throw new IllegalArgumentException("not a flag or timer option: " + name);
        }
        return true;
    }

    /** Records the buffer sizes that apply after the loop set one (clamped; a receive buffer never shrinks). */
    void buffers(int send, int receive) {
        sendBuffer = send;
        receiveBuffer = receive;
    }
}
