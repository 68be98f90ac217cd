package org.jioth.run;

import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;

/**
 * Name resolution of the JVM-wide stack (found by {@code ServiceLoader} when jioth-run is on the
 * class path). Without {@code -Dioth.stack} it hands back the JDK's built-in resolver, so having the
 * jar on the class path changes nothing; with it, names come from {@link StackResolver}.
 */
public final class StackResolverProvider extends InetAddressResolverProvider {
    private static final System.Logger LOG = System.getLogger(StackResolverProvider.class.getName());

    @Override
    public InetAddressResolver get(Configuration configuration) {
        if (!JvmStack.isConfigured()) {
            return configuration.builtinResolver();
        }
        try {
            return new StackResolver(JvmStack.settings(), configuration.builtinResolver(), configuration.lookupLocalHostName());
        } catch (IllegalArgumentException e) {
            // Name lookups must not take the JVM down; each one reports the bad setting instead.
            LOG.log(System.Logger.Level.ERROR, "ioth: " + e.getMessage());
            return StackResolver.failing(e.getMessage());
        }
    }

    @Override
    public String name() {
        return "jioth JVM-wide stack";
    }
}
