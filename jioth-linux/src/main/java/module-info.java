/** The only jioth module that calls native code: FFM bindings to the Linux C library. */
module org.jioth.linux {
    requires transitive org.jioth.api;
    exports org.jioth.linux;
    exports org.jioth.linux.unix;
}
