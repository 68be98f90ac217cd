/** VDE networking in pure Java: VNLs, Ethernet ports, every scheme, the switch and hub engines. */
module org.jioth.vde {
    requires transitive org.jioth.api;
    requires org.jioth.linux;
    exports org.jioth.vde;
    uses org.jioth.vde.EthernetScheme;
    provides org.jioth.vde.EthernetScheme with org.jioth.vde.NullScheme, org.jioth.vde.VdeScheme,
            org.jioth.vde.NodeScheme;
}
