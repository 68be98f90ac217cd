/** VDE networking in pure Java: VNLs, Ethernet ports, every scheme, the switch and hub engines. */
module org.jioth.vde {
    requires transitive org.jioth.api;
    requires org.jioth.linux;
    exports org.jioth.vde;
    exports org.jioth.vde.ip;
    exports org.jioth.vde.ptp;
    exports org.jioth.vde.stream;
    exports org.jioth.vde.tap;
    uses org.jioth.vde.EthernetScheme;
    provides org.jioth.vde.EthernetScheme with org.jioth.vde.NullScheme, org.jioth.vde.VdeScheme,
            org.jioth.vde.NodeScheme, org.jioth.vde.ip.UdpScheme, org.jioth.vde.ip.VxvdeScheme,
            org.jioth.vde.ip.VxlanScheme, org.jioth.vde.ptp.PtpScheme, org.jioth.vde.tap.TapScheme,
            org.jioth.vde.SeqpacketScheme, org.jioth.vde.stream.CmdScheme;
}
