package org.jioth.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketRegistryTest {
    /** A channel that is open until closed, as the registry sees it. */
    private static final class FakeChannel implements Channel {
        private volatile boolean open = true;

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    /**
     * A server that accepts and closes 100,000 connections on a plug-in that never untracks (the
     * JDK's channels, the descriptor channels) keeps a registry within twice its open channels.
     */
    @Test
    void channelsClosedWithoutUntrackAreForgottenAsTheSetGrows() {
        SocketRegistry r = new SocketRegistry();
        List<FakeChannel> stillOpen = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            FakeChannel c = r.track(new FakeChannel());
            if (i % 1000 == 0) {
                stillOpen.add(c); // a few long-lived connections
            } else {
                c.close();
            }
            assertThat(r.recorded()).isLessThanOrEqualTo(Math.max(64, 2 * stillOpen.size() + 1));
        }
        assertThat(r.openCount()).isEqualTo(stillOpen.size());
    }
}
