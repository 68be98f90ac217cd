package org.jioth.kernel;

import java.nio.channels.spi.SelectorProvider;
import org.jioth.NetConfig;
import org.jioth.spi.SocketRegistry;
import org.jioth.spi.StackImpl;
import org.jioth.spi.TrackingSelectorProvider;

/** One kernel stack: the JDK's default provider, counted, and rtnetlink for configuration. */
final class KernelStack implements StackImpl {
    private final SelectorProvider provider;
    private final NetConfig config;

    KernelStack(SocketRegistry sockets) {
        this.provider = new TrackingSelectorProvider(SelectorProvider.provider(), sockets);
        this.config = KernelNetConfig.create();
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
        // The host stack outlives every handle on it; nothing to release.
    }
}
