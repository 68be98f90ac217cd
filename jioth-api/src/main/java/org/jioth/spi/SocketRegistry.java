package org.jioth.spi;

import java.io.IOException;
import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sockets of one stack: libioth's per-stack socket counter. Plug-ins {@link #track} every
 * channel they open or accept and may {@link #untrack} it on close; a channel that was closed
 * without being untracked stops counting as soon as it is seen closed, so plug-ins built on
 * channels they cannot hook (the JDK's own) are counted right too.
 */
public final class SocketRegistry {
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

    /** Records {@code channel} as a socket of this stack and returns it. */
    public <C extends Channel> C track(C channel) {
        channels.add(channel);
        return channel;
    }

    /** Forgets {@code channel} (a plug-in calls this when the channel closes). */
    public void untrack(Channel channel) {
        channels.remove(channel);
    }

    /** The tracked channels, open or not (a copy). */
    public List<Channel> channels() {
        return new ArrayList<>(channels);
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
