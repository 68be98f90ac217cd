package org.jioth.vde.tap;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jioth.vde.portsupport.OptionReader;

/** The settings of {@code tap://IFNAME} (no options): the tap interface to create or attach. */
public record TapSettings(String interfaceName) {
    public static final List<String> OPTIONS = List.of();

    public TapSettings {
        Objects.requireNonNull(interfaceName, "interfaceName");
        int n = interfaceName.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > 15 || interfaceName.contains("/") || interfaceName.isBlank()) {
            throw new IllegalArgumentException("tap: bad interface name '" + interfaceName
                    + "'; expected 1..15 bytes without '/' or spaces, as in tap://tap0");
        }
    }

    public static TapSettings fromOptions(String mainArgument, Map<String, String> options) {
        new OptionReader("tap", options, OPTIONS);
        return new TapSettings(mainArgument == null ? "" : mainArgument);
    }

    @Override
    public String toString() {
        return "tap://" + interfaceName;
    }
}
