/** Plug-in {@code kernel}: the host's own TCP/IP stack, configured through rtnetlink. */
module org.jioth.kernel {
    requires org.jioth.api;
    requires org.jioth.linux;
    provides org.jioth.spi.StackProvider with org.jioth.kernel.KernelProvider;
}
