package org.jioth;

import java.nio.channels.spi.SelectorProvider;
import org.jioth.spi.SocketRegistry;
import org.jioth.spi.StackImpl;
import org.jioth.spi.TrackingSelectorProvider;
import org.jioth.spi.UnsupportedNetConfig;

/**
 * The stack jioth falls back on when no {@code kernel} plug-in is on the class path: the JDK's
 * own sockets (libioth's built-in native table). It cannot be configured; the kernel plug-in
 * (module jioth-kernel) adds rtnetlink configuration.
 */
final class NativeStack implements StackImpl {
    private final SelectorProvider provider;
    private final UnsupportedNetConfig config = new UnsupportedNetConfig(
            "the built-in native stack has no configuration; put the kernel plug-in (jioth-kernel) on the class path");

    NativeStack(SocketRegistry sockets) {
        this.provider = new TrackingSelectorProvider(SelectorProvider.provider(), sockets);
    }

    @Override
    public SelectorProvider provider() {
        return provider;
    }

    @Override
    public NetConfig config() {
        return config;
    }

    @Override
    public void close() {
        // Nothing of its own to release.
    }
}
