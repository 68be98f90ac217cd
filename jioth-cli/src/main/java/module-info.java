/** The {@code ioth} command. */
module org.jioth.cli {
    requires org.jioth.api;
    requires org.jioth.vde;
    requires org.jioth.bench;
    requires info.picocli;
    opens org.jioth.cli to info.picocli;
}
