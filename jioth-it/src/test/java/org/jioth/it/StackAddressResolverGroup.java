package org.jioth.it;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jioth.dns.DnsResolver;

/**
 * Recipe (docs/recipes.md): Netty resolves names with a stack's {@link DnsResolver}
 * ({@code bootstrap.resolver(new StackAddressResolverGroup(stack.resolver()))}). The lookup blocks
 * the event loop like Netty's own {@code DefaultNameResolver} does; answers are cached by the resolver.
 */
final class StackAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {
    private final DnsResolver dns;

    StackAddressResolverGroup(DnsResolver dns) {
        this.dns = dns;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                try {
                    promise.setSuccess(dns.lookup(host).getFirst());
                } catch (Exception e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                try {
                    promise.setSuccess(dns.lookup(host));
                } catch (Exception e) {
                    promise.setFailure(e);
                }
            }
        }.asAddressResolver();
    }
}
