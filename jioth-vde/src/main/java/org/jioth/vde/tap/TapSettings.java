package org.jioth.vde.tap;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jioth.vde.portsupport.OptionReader;

/**
 * The settings of {@code tap://IFNAME[/offload=1]}: the tap interface to create or attach, and
 * whether to open it with a virtio-net header (IFF_VNET_HDR) so consecutive TCP segments go to the
 * kernel as one TSO super-frame ({@link TapPort}).
 */
public record TapSettings(String interfaceName, boolean offload) {
    public static final List<String> OPTIONS = List.of("offload");

    /** A tap without offload. */
    public TapSettings(String interfaceName) {
        this(interfaceName, false);
    }

    public TapSettings {
        Objects.requireNonNull(interfaceName, "interfaceName");
        int n = interfaceName.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > 15 || interfaceName.contains("/") || interfaceName.isBlank()) {
            throw new IllegalArgumentException("tap: bad interface name '" + interfaceName
                    + "'; expected 1..15 bytes without '/' or spaces, as in tap://tap0");
        }
    }

    public static TapSettings fromOptions(String mainArgument, Map<String, String> options) {
        OptionReader o = new OptionReader("tap", options, OPTIONS);
        return new TapSettings(mainArgument == null ? "" : mainArgument, o.flag("offload"));
    }

    @Override
    public String toString() {
        return "tap://" + interfaceName + (offload ? "/offload=1" : "");
    }
}
