package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs that know nothing of jioth — {@code jwebserver}, a JDK {@code HttpClient} program, a
 * Vert.x 5 server, a Jetty 12 server — each in a child JVM on its own jnet stack made by
 * jioth-run's JVM-wide provider from {@code -D} flags ({@link JvmWideStack}), on a Debian
 * vde_switch; curl in a Linux namespace on the same switch and the HttpClient program are their
 * peers. Every transfer is byte-exact. The child JVMs run in a namespace with only {@code lo}
 * ({@link VdeNet#isolated()}): the stack is their only way out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnmodifiedProgramsTest {
    static final int SERVER = 50;
    static final int CLIENT = 51;
    static final int KERNEL = 1;
    static final int PORT = 8000;
    static final String URL = "http://" + VdeNet.NET + SERVER + ":" + PORT;

    @TempDir
    Path dir;
    VdeNet net;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("curl");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    /** Starts {@code program} on a JVM-wide stack at {@code host}; returns once {@code ready} is in its output. */
    Process startOnStack(String log, String ready, int host, String hosts, String... program) throws Exception {
        Process p = net.spawn(log, JvmWideStack.java(net, host, hosts, program));
        assertThat(net.awaitLog(log, ready, p)).as("%s: %s", log, net.log(log)).isTrue();
        return p;
    }

    /** curl in the namespace: GET {@code path} into a file, or POST {@code upload} when given; the body that came back. */
    byte[] curl(String ns, String path, byte[] upload) throws Exception {
        Path out = dir.resolve("curl-" + System.nanoTime() + ".bin");
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "--fail", "-o", out.toString()));
        if (upload != null) {
            Path in = dir.resolve("upload-" + System.nanoTime() + ".bin");
            Files.write(in, upload);
            cmd.addAll(List.of("--data-binary", "@" + in, "-H", "Content-Type: application/octet-stream"));
        }
        cmd.add(URL + path);
        ChildProcess.Result r = net.run(ns, 60, cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as("%s: %s", cmd, r.output()).isZero();
        return Files.readAllBytes(out);
    }

    @Test
    void jwebserverOnJnetServesCurlAndAJdkHttpClientOnAnotherStack() throws Exception {
        assumeTrue(JvmWideStack.hasHttpServerModule(), "this JDK has no jdk.httpserver module (jwebserver)");
        String ns = net.namespace(KERNEL);
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] file = Bytes.random(4 << 20, 41);
        Files.write(www.resolve("file.bin"), file);
        startOnStack("jwebserver.log", "URL http://", SERVER, "",
                "-m", "jdk.httpserver", "-b", "0.0.0.0", "-p", String.valueOf(PORT), "-d", www.toString());

        assertThat(curl(ns, "/file.bin", null)).as("curl from the namespace").isEqualTo(file);

        // the HttpClient program on a second stack, naming the server through ioth.hosts
        Path got = dir.resolve("httpclient.bin");
        ChildProcess.Result client = net.runIsolated(60, JvmWideStack.java(net, CLIENT, "files.test=" + VdeNet.NET + SERVER,
                HttpClientMain.class.getName(), "http://files.test:" + PORT + "/file.bin", got.toString()));
        assertThat(client.exitCode()).as(client.output()).isZero();
        assertThat(Files.readAllBytes(got)).as("HttpClient on jnet from jwebserver on jnet").isEqualTo(file);
    }

    @Test
    void jdkHttpClientOnJnetDownloadsFromPythonInANamespace() throws Exception {
        VdeNet.assumeKernelPeers("python3", "ss");
        String ns = net.namespace(KERNEL);
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] file = Bytes.random(3 << 20, 42);
        Files.write(www.resolve("file.bin"), file);
        net.start(ns, "python.log", "python3", "-m", "http.server", String.valueOf(PORT), "--bind", VdeNet.NET + KERNEL,
                "--directory", www.toString());
        assertThat(net.awaitListening(ns, PORT)).as("python3 http.server: %s", net.log("python.log")).isTrue();
        Path got = dir.resolve("httpclient.bin");
        ChildProcess.Result client = net.runIsolated(60, JvmWideStack.java(net, CLIENT, "",
                HttpClientMain.class.getName(), "http://" + VdeNet.NET + KERNEL + ":" + PORT + "/file.bin", got.toString()));
        assertThat(client.exitCode()).as(client.output()).isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(file);
    }

    @Test
    void vertxServerOnJnetServesCurl() throws Exception {
        String ns = net.namespace(KERNEL);
        startOnStack("vertx.log", "ready on port", SERVER, "", VertxServerMain.class.getName(),
                String.valueOf(PORT), String.valueOf(3 << 20), "43");
        assertThat(curl(ns, "/blob", null)).isEqualTo(Bytes.random(3 << 20, 43));
        byte[] upload = Bytes.random(1 << 20, 44);
        assertThat(curl(ns, "/echo", upload)).isEqualTo(upload);
    }

    @Test
    void jettyServerOnJnetServesCurl() throws Exception {
        String ns = net.namespace(KERNEL);
        startOnStack("jetty.log", "ready on port", SERVER, "", JettyServerMain.class.getName(),
                String.valueOf(PORT), String.valueOf(3 << 20), "45");
        assertThat(curl(ns, "/blob", null)).isEqualTo(Bytes.random(3 << 20, 45));
        byte[] upload = Bytes.random(1 << 20, 46);
        assertThat(curl(ns, "/echo", upload)).isEqualTo(upload);
    }
}
