package org.jioth.vde.ip;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code udp://[srcaddr:]srcport->dstaddr:dstport}: a point-to-point UDP tunnel. */
public final class UdpScheme extends SettingsScheme<UdpSettings> {
    public UdpScheme() {
        super("udp", VnlSyntax.raw(), UdpSettings::fromOptions, UdpPort::new);
    }
}
