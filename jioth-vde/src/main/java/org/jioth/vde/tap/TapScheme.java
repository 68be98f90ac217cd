package org.jioth.vde.tap;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code tap://IFNAME}: a Linux tap interface (needs CAP_NET_ADMIN). */
public final class TapScheme extends SettingsScheme<TapSettings> {
    public TapScheme() {
        super("tap", VnlSyntax.raw(), TapSettings::fromOptions, TapPort::new);
    }
}
