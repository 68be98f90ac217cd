package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OkHttp 5 on a jnet stack: {@code socketFactory(stack.socketFactory())} and a {@link Dns} over a
 * table of names (the host's resolver knows nothing of the virtual network), downloading from
 * {@code python3 -m http.server} in a Linux namespace on the same vde_switch, byte-exact, two
 * files over one kept-alive connection.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OkHttpTest {
    static final int PORT = 8000;
    static final String PEER = VdeNet.NET + 1;

    @TempDir
    Path dir;
    VdeNet net;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("python3", "ss");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void okHttpOnJnetDownloadsFromPythonInANamespace() throws Exception {
        IothStack stack = net.jnet(50);
        String ns = net.namespace(1);
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] a = Bytes.random(3 << 20, 21);
        byte[] b = Bytes.random(70_001, 22);
        Files.write(www.resolve("a.bin"), a);
        Files.write(www.resolve("b.bin"), b);
        net.start(ns, "python.log", "python3", "-m", "http.server", String.valueOf(PORT), "--bind", PEER,
                "--directory", www.toString());
        assertThat(net.awaitListening(ns, PORT)).as("python3 http.server: %s", net.log("python.log")).isTrue();

        // --- recipe: OkHttp on a stack ---
        Map<String, InetAddress> hosts = Map.of("files.test", InetAddress.ofLiteral(PEER));
        Dns dns = name -> {
            InetAddress address = hosts.get(name);
            if (address == null) {
                throw new UnknownHostException(name + " is not in the stack's host table " + hosts.keySet());
            }
            return List.of(address);
        };
        OkHttpClient client = new OkHttpClient.Builder()
                .socketFactory(stack.socketFactory())
                .dns(dns)
                .build();
        // --- end of recipe ---
        try {
            for (var file : Map.of("a.bin", a, "b.bin", b).entrySet()) {
                Request request = new Request.Builder().url("http://files.test:" + PORT + "/" + file.getKey()).build();
                try (Response response = client.newCall(request).execute()) {
                    assertThat(response.code()).isEqualTo(200);
                    assertThat(response.body().bytes()).as(file.getKey()).isEqualTo(file.getValue());
                }
            }
            assertThat(client.connectionPool().connectionCount()).as("one kept-alive connection").isEqualTo(1);
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
