/**
 * One stack for the whole JVM, chosen by system properties: the NIO provider
 * ({@code -Djava.nio.channels.spi.SelectorProvider=org.jioth.run.StackSelectorProvider}), the
 * name resolver, and the agent behind {@code ioth run} that also redirects {@code java.net} sockets.
 */
module org.jioth.run {
    requires org.jioth.api;
    requires java.instrument;
    exports org.jioth.run;
    uses org.jioth.run.StackNameResolver;
    provides org.jioth.run.StackNameResolver with org.jioth.run.StackDnsNameResolver;
    provides java.net.spi.InetAddressResolverProvider with org.jioth.run.StackResolverProvider;
}
