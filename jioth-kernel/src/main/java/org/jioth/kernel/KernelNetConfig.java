package org.jioth.kernel;

import org.jioth.NetConfig;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.netlink.RtNetlinkConfig;
import org.jioth.spi.UnsupportedNetConfig;

/** Chooses the kernel stack's configuration backend: rtnetlink on Linux, none elsewhere. */
final class KernelNetConfig {
    private KernelNetConfig() {
    }

    static NetConfig create() {
        if (!NativeSupport.isLinux()) {
            return new UnsupportedNetConfig("the kernel plug-in configures the host stack through Linux rtnetlink, and this is "
                    + System.getProperty("os.name"));
        }
        return new RtNetlinkConfig();
    }
}
