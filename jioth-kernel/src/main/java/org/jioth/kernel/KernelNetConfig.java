package org.jioth.kernel;

import org.jioth.NetConfig;
import org.jioth.spi.UnsupportedNetConfig;

/** Chooses the kernel stack's configuration backend. */
final class KernelNetConfig {
    private KernelNetConfig() {
    }

    static NetConfig create() {
        return new UnsupportedNetConfig("rtnetlink configuration is not wired yet");
    }
}
