package org.jioth.vde.ptp;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/** {@code ptp://PATH[mode=legacy]}: a point-to-point link over one AF_UNIX socket path. */
public final class PtpScheme extends SettingsScheme<PtpSettings> {
    public PtpScheme() {
        super("ptp", VnlSyntax.path(PtpSettings.OPTIONS.toArray(String[]::new)), PtpSettings::fromOptions,
                PtpPort::new);
    }
}
