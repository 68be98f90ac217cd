/** Plug-in {@code jnet}: a TCP/IP stack written in Java, attached to VDE networks. */
module org.jioth.jnet {
    requires org.jioth.api;
    requires org.jioth.vde;
    requires jdk.net;
    exports org.jioth.jnet;
    exports org.jioth.jnet.loop;
    exports org.jioth.jnet.time;
    exports org.jioth.jnet.wire;
    provides org.jioth.spi.StackProvider with org.jioth.jnet.JnetProvider;
}
