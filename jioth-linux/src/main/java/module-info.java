/** The only jioth module that calls native code: FFM bindings to the Linux C library. */
module org.jioth.linux {
    requires transitive org.jioth.api;
    exports org.jioth.linux;
    exports org.jioth.linux.fdnio;
    exports org.jioth.linux.netlink;
    exports org.jioth.linux.netns;
    exports org.jioth.linux.ping;
    exports org.jioth.linux.tap;
    exports org.jioth.linux.unix;
}
