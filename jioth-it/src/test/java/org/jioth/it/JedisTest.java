package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Jedis on a jnet stack through a {@link JedisSocketFactory}, against Debian's {@code redis-server}
 * started by the test in a Linux namespace on the same vde_switch: 2,000 binary values set in a
 * pipeline and read back, and one 2 MiB value, byte-exact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JedisTest {
    static final int PORT = 6379;
    static final String PEER = VdeNet.NET + 1;

    @TempDir
    Path dir;
    VdeNet net;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("redis-server", "ss");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void jedisOnJnetTalksToRedisInANamespace() throws Exception {
        IothStack stack = net.jnet(50);
        String ns = net.namespace(1);
        net.start(ns, "redis.log", "redis-server", "--bind", PEER, "--port", String.valueOf(PORT),
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString());
        assertThat(net.awaitListening(ns, PORT)).as("redis-server: %s", net.log("redis.log")).isTrue();

        // --- recipe: Jedis on a stack ---
        JedisSocketFactory sockets = () -> {
            try {
                Socket s = stack.socketFactory().createSocket();
                s.connect(new InetSocketAddress(PEER, PORT), 10_000);
                s.setSoTimeout(10_000);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                throw new JedisConnectionException("cannot connect to redis on " + stack, e);
            }
        };
        try (Jedis jedis = new Jedis(sockets)) {
            // --- end of recipe ---
            assertThat(jedis.ping()).isEqualTo("PONG");
            int n = 2_000;
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < n; i++) {
                p.set(key(i), Bytes.random(1 + i % 500, i));
            }
            p.sync();
            Pipeline q = jedis.pipelined();
            List<redis.clients.jedis.Response<byte[]>> values = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add(q.get(key(i)));
            }
            q.sync();
            for (int i = 0; i < n; i++) {
                assertThat(values.get(i).get()).as("key %d", i).isEqualTo(Bytes.random(1 + i % 500, i));
            }
            byte[] big = Bytes.random(2 << 20, 99);
            assertThat(jedis.set("big".getBytes(StandardCharsets.UTF_8), big)).isEqualTo("OK");
            assertThat(jedis.get("big".getBytes(StandardCharsets.UTF_8))).isEqualTo(big);
            assertThat(jedis.dbSize()).isEqualTo(n + 1L);
        }
    }

    static byte[] key(int i) {
        return ("k:" + i).getBytes(StandardCharsets.UTF_8);
    }
}
