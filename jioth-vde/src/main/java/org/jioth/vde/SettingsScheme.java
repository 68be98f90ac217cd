package org.jioth.vde;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A scheme whose port is built from a settings record: the VNL's main part and options are
 * converted by the record's {@code fromOptions}, and a conversion error becomes a
 * {@link VnlException} naming the VNL.
 *
 * @param <S> the settings record
 */
public abstract class SettingsScheme<S> implements EthernetScheme {
    /** Opens a port from validated settings. */
    @FunctionalInterface
    protected interface PortOpener<S> {
        EthernetPort open(S settings) throws IOException;
    }

    private final String name;
    private final VnlSyntax syntax;
    private final BiFunction<String, Map<String, String>, S> settings;
    private final PortOpener<S> opener;

    protected SettingsScheme(String name, VnlSyntax syntax, BiFunction<String, Map<String, String>, S> settings,
                             PortOpener<S> opener) {
        this.name = name;
        this.syntax = syntax;
        this.settings = settings;
        this.opener = opener;
    }

    @Override
    public final List<String> names() {
        return List.of(name);
    }

    @Override
    public final VnlSyntax syntax() {
        return syntax;
    }

    @Override
    public final EthernetPort open(Vnl vnl) throws IOException {
        S s;
        try {
            s = settings.apply(vnl.main(), vnl.options());
        } catch (VnlException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw vnl.error(vnl.rest(), e.getMessage());
        }
        return opener.open(s);
    }
}
