/** Test support shared by jioth's modules (test scope only): running peer processes. */
module org.jioth.testkit {
    exports org.jioth.testkit;
}
