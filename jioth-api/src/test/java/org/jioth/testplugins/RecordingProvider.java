package org.jioth.testplugins;

import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jioth.NetConfig;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;
import org.jioth.spi.TrackingSelectorProvider;
import org.jioth.spi.UnsupportedNetConfig;

/** A test plug-in on the class path that records every request and every close. */
public final class RecordingProvider implements StackProvider {
    public static final List<StackRequest> REQUESTS = new CopyOnWriteArrayList<>();
    public static final List<StackRequest> CLOSED = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public List<String> aliases() {
        return List.of("rec");
    }

    @Override
    public StackImpl newStack(StackRequest request) {
        REQUESTS.add(request);
        SelectorProvider provider = new TrackingSelectorProvider(SelectorProvider.provider(), request.sockets());
        return new StackImpl() {
            @Override
            public SelectorProvider provider() {
                return provider;
            }

            @Override
            public NetConfig config() {
                return new UnsupportedNetConfig("the recording test plug-in has no configuration");
            }

            @Override
            public Map<String, Long> statistics() {
                return Map.of("vnls", (long) request.vnls().size());
            }

            @Override
            public void close() {
                CLOSED.add(request);
            }
        };
    }
}
