package org.jioth.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.util.List;
import java.util.Optional;
import org.jioth.IothStack;

/**
 * A name service that works over a stack (a DNS client on its sockets), found with
 * {@code ServiceLoader}: {@link StackResolverProvider} asks it for the names the static entries do
 * not know. {@link StackDnsNameResolver} (the stack's own DNS resolver) is the one jioth-run ships.
 */
public interface StackNameResolver {

    /** The addresses of {@code host}, in the order the policy asks for; empty when this service has no answer. */
    Optional<List<InetAddress>> lookupByName(IothStack stack, String host, LookupPolicy policy) throws IOException;

    /** The name of {@code address} (4 or 16 bytes); empty when this service has no answer. */
    default Optional<String> lookupByAddress(IothStack stack, byte[] address) throws IOException {
        return Optional.empty();
    }
}
