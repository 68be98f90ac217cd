/**
 * Macro benchmarks of jioth: frame forwarding through VDE switches (ours, vde_switch, in-JVM), and
 * TCP on any stack plug-in against the kernel's.
 */
module org.jioth.bench {
    requires org.jioth.api;
    requires org.jioth.vde;
    requires org.jioth.linux;
    requires jdk.management;
    exports org.jioth.bench;
}
