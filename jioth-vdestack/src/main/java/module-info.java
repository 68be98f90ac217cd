/**
 * Plug-in {@code vdestack}: the Linux kernel's TCP/IP stack in a private user+network namespace,
 * unprivileged, its tap interfaces bridged to VNLs; sockets come over SCM_RIGHTS.
 */
module org.jioth.vdestack {
    requires org.jioth.api;
    requires org.jioth.linux;
    requires org.jioth.vde;
    exports org.jioth.vdestack;
    provides org.jioth.spi.StackProvider with org.jioth.vdestack.VdestackProvider;
}
