package org.jioth.slirp;

import org.jioth.vde.SettingsScheme;
import org.jioth.vde.VnlSyntax;

/**
 * {@code slirp://[/option...]}: a NAT gateway to the host's network (see {@link SlirpOptions} for
 * the options and their defaults, which are libslirp's).
 */
public final class SlirpScheme extends SettingsScheme<SlirpOptions> {
    /** For {@link java.util.ServiceLoader}. */
    public SlirpScheme() {
        super("slirp", VnlSyntax.address(SlirpOptions.OPTIONS.toArray(String[]::new)), SlirpOptions::fromOptions,
                SlirpPort::open);
    }
}
