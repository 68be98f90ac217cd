package org.jioth.nio;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;

/** The two implementations each scenario runs on: the JDK's own (the oracle) and ours. */
enum PipeKind {
    JDK(SelectorProvider.provider()),
    MEMORY(new TestReadinessProvider());

    final SelectorProvider provider;

    PipeKind(SelectorProvider provider) {
        this.provider = provider;
    }

    Pipe openPipe() throws IOException {
        return provider.openPipe();
    }

    Selector openSelector() throws IOException {
        return provider.openSelector();
    }
}
