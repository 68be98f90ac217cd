package org.jioth.vde;

import java.util.List;

/** The {@code null://} scheme. */
public final class NullScheme implements EthernetScheme {
    /** For {@link java.util.ServiceLoader}. */
    public NullScheme() {
    }

    @Override
    public List<String> names() {
        return List.of("null");
    }

    @Override
    public VnlSyntax syntax() {
        return VnlSyntax.raw();
    }

    @Override
    public EthernetPort open(Vnl vnl) {
        return new NullPort(vnl.toString());
    }
}
