/** Macro benchmarks of jioth: frame forwarding through VDE switches (ours, vde_switch, in-JVM). */
module org.jioth.bench {
    requires org.jioth.vde;
    exports org.jioth.bench;
}
