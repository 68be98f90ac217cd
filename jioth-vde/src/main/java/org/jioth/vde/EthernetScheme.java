package org.jioth.vde;

import java.io.IOException;
import java.util.List;

/**
 * A VNL scheme, found with {@link java.util.ServiceLoader} (module {@code provides} or
 * {@code META-INF/services/org.jioth.vde.EthernetScheme}). Implementations need a public no-argument
 * constructor and must be thread-safe: {@link #open} may be called from any thread.
 */
public interface EthernetScheme {
    /** The scheme names this class serves (for example {@code switch}); lower case. */
    List<String> names();

    /** How the text after {@code ://} is read: grammar and option table. */
    VnlSyntax syntax();

    /**
     * Opens a port on the network {@code vnl} names. The VNL is already resolved with
     * {@link #syntax()}; bad values found now are reported with {@link Vnl#error}.
     */
    EthernetPort open(Vnl vnl) throws IOException;
}
