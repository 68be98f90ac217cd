/** The {@code ioth} command. */
module org.jioth.cli {
    requires org.jioth.api;
    requires org.jioth.vde;
    requires org.jioth.bench;
    requires org.jioth.run;
    requires info.picocli;
    requires jdk.unsupported;
    opens org.jioth.cli to info.picocli;
}
