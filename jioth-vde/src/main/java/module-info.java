/** VDE networking in pure Java: VNLs, Ethernet ports, every scheme, the switch and hub engines. */
module org.jioth.vde {
    requires transitive org.jioth.api;
    requires org.jioth.linux;
    exports org.jioth.vde;
    exports org.jioth.vde.ip;
    exports org.jioth.vde.ptp;
    exports org.jioth.vde.tap;
}
