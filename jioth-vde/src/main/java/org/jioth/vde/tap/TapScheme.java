package org.jioth.vde.tap;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code tap://IFNAME[/offload=1]}: a Linux tap interface (needs CAP_NET_ADMIN). */
public final class TapScheme extends SettingsScheme<TapSettings> {
    public TapScheme() {
        super("tap", VnlSyntax.address(TapSettings.OPTIONS.toArray(String[]::new)), TapSettings::fromOptions, TapPort::new);
    }
}
