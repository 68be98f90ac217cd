package org.jioth.vde.ip;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code vxlan://group[/opt...]}: an RFC 7348 VXLAN endpoint. */
public final class VxlanScheme extends SettingsScheme<VxlanSettings> {
    public VxlanScheme() {
        super("vxlan", VnlSyntax.address(VxlanSettings.OPTIONS.toArray(String[]::new)),
                VxlanSettings::fromOptions, VxlanPort::new);
    }
}
