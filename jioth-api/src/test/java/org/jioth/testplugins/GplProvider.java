package org.jioth.testplugins;

import java.nio.channels.spi.SelectorProvider;
import java.util.Optional;
import org.jioth.NetConfig;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;
import org.jioth.spi.UnsupportedNetConfig;

/** A plug-in licensed GPL-3.0-or-later, for the licence check. */
public final class GplProvider implements StackProvider {
    @Override
    public String name() {
        return "gpl3";
    }

    @Override
    public Optional<String> license() {
        return Optional.of("GPL-3.0-or-later");
    }

    @Override
    public StackImpl newStack(StackRequest request) {
        return new StackImpl() {
            @Override
            public SelectorProvider provider() {
                return SelectorProvider.provider();
            }

            @Override
            public NetConfig config() {
                return new UnsupportedNetConfig("none");
            }

            @Override
            public void close() {
            }
        };
    }
}
