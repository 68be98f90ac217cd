package org.jioth.spi;

import java.io.IOException;
import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open sockets of one stack: libioth's per-stack socket counter. Plug-ins {@link #track} every
 * channel they open or accept and may {@link #untrack} it on close; a channel that was closed
 * without being untracked stops counting as soon as it is seen closed, so plug-ins built on
 * channels they cannot hook (the JDK's own) are counted right too.
 */
public final class SocketRegistry {
    /** Below this many recorded channels, closed ones are only forgotten when counted. */
    private static final int PURGE_FLOOR = 64;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    /** When the set reaches this size, closed channels are forgotten (twice the open ones after each purge). */
    private final AtomicInteger purgeAt = new AtomicInteger(PURGE_FLOOR);

    /**
     * Records {@code channel} as a socket of this stack and returns it. Channels closed without
     * {@link #untrack} (a server that accepts for days on a plug-in that cannot hook close) are
     * forgotten whenever the set has doubled since the last purge, so it stays within twice the
     * open channels at an amortized constant cost.
     */
    public <C extends Channel> C track(C channel) {
        channels.add(channel);
        int limit = purgeAt.get();
        if (channels.size() >= limit && purgeAt.compareAndSet(limit, Integer.MAX_VALUE)) {
            channels.removeIf(c -> !c.isOpen());
            purgeAt.set(Math.max(PURGE_FLOOR, 2 * channels.size()));
        }
        return channel;
    }

    /** How many channels are recorded, closed ones not yet forgotten included (for tests). */
    int recorded() {
        return channels.size();
    }

    /** Forgets {@code channel} (a plug-in calls this when the channel closes). */
    public void untrack(Channel channel) {
        channels.remove(channel);
    }

    /** How many tracked channels are still open. */
    public int openCount() {
        channels.removeIf(c -> !c.isOpen());
        return channels.size();
    }

    /** Closes every open channel; the first failure is thrown after all were tried. */
    public void closeAll() throws IOException {
        IOException first = null;
        List<Channel> snapshot = new ArrayList<>(channels);
        for (Channel c : snapshot) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
            channels.remove(c);
        }
        if (first != null) {
            throw first;
        }
    }
}
