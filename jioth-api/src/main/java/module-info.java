/** The jioth API: stacks, plug-in discovery, netlink-style configuration and NIO helpers. */
module org.jioth.api {
    exports org.jioth;
    exports org.jioth.spi;
    exports org.jioth.nio;
    exports org.jioth.conf;
    exports org.jioth.dns;
    exports org.jioth.dhcp;
    uses org.jioth.spi.StackProvider;
}
