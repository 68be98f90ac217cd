package org.jioth.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.util.List;
import java.util.Optional;
import org.jioth.IothStack;
import org.jioth.dns.DnsResolver;

/**
 * The stack's own DNS resolver ({@link IothStack#resolver()}) as a {@link StackNameResolver}: names
 * the static entries do not know are asked of the DNS servers the stack was configured with
 * ({@code ioth.conf=...,dns=ADDR,domain=NAME}), over the stack itself. Without a server it has no answer.
 */
public final class StackDnsNameResolver implements StackNameResolver {

    @Override
    public Optional<List<InetAddress>> lookupByName(IothStack stack, String host, LookupPolicy policy) throws IOException {
        DnsResolver r = stack.resolver();
        if (!r.hasSources()) {
            return Optional.empty();
        }
        int c = policy.characteristics();
        return Optional.of(r.lookup(host, (c & LookupPolicy.IPV4) != 0, (c & LookupPolicy.IPV6) != 0));
    }

    @Override
    public Optional<String> lookupByAddress(IothStack stack, byte[] address) throws IOException {
        DnsResolver r = stack.resolver();
        if (!r.hasSources()) {
            return Optional.empty();
        }
        return Optional.ofNullable(r.reverse(InetAddress.getByAddress(address)));
    }
}
