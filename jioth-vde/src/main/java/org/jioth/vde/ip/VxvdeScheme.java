package org.jioth.vde.ip;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code vxvde://group[/opt...]}: a distributed switch over IP multicast. */
public final class VxvdeScheme extends SettingsScheme<VxvdeSettings> {
    public VxvdeScheme() {
        super("vxvde", VnlSyntax.address(VxvdeSettings.OPTIONS.toArray(String[]::new)),
                VxvdeSettings::fromOptions, VxvdePort::new);
    }
}
