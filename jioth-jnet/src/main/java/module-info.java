module org.jioth.jnet {
    requires org.jioth.api;
    requires org.jioth.vde;
    exports org.jioth.jnet.time;
    exports org.jioth.jnet.wire;
}
