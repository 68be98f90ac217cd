/** Scheme {@code slirp://}: a NAT gateway that gives a VDE network the host's network, without privilege. */
module org.jioth.slirp {
    requires org.jioth.vde;
    requires org.jioth.jnet;
    requires org.jioth.linux;
    exports org.jioth.slirp;
    provides org.jioth.vde.EthernetScheme with org.jioth.slirp.SlirpScheme;
}
