package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.cli.Main;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ioth run} with programs that use plain {@code java.net} sockets and know nothing of
 * jioth: a PgJDBC program against a real PostgreSQL and a Jedis program against a real
 * {@code redis-server}, both in a Linux namespace on the same vde_switch, each server named
 * through {@code --hosts} (the stack's resolver). The programs check every row and value
 * themselves and print what they verified; the servers' own view (PostgreSQL's connection log,
 * Redis's CLIENT LIST) shows the stack's address. {@code ioth run} itself runs in a namespace
 * with only {@code lo} ({@link VdeNet#isolated()}): the stack is the program's only way out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IothRunTest {
    static final String PEER = VdeNet.NET + 1;

    @TempDir
    Path dir;
    VdeNet net;
    PostgresPeer postgres;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("ss");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (net != null) {
            net.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** {@code ioth run jnet VNL --conf eth,ip=NET.50/24 --hosts NAME=PEER -- -cp CP MAIN ARGS}. */
    List<String> iothRun(String hosts, Class<?> main, String... args) {
        List<String> cmd = new java.util.ArrayList<>(ChildProcess.javaCommand(Main.class, "run", "jnet", net.vnl(),
                "--conf", "eth,ip=" + VdeNet.NET + "50/24", "--hosts", hosts, "--",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void jedisProgramUnderIothRunFindsRedisThroughDnsmasqOverTheStack() throws Exception {
        VdeNet.assumeKernelPeers("redis-server", "dnsmasq");
        String ns = net.namespace(1);
        net.start(ns, "dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--bind-interfaces", "--listen-address=" + PEER, "--user=root", "--log-facility=-",
                "--log-queries", "--pid-file=" + dir.resolve("dnsmasq.pid"), "--address=/cache.test/" + PEER,
                "--local=/test/");
        net.start(ns, "redis.log", "redis-server", "--bind", PEER, "--port", "6379", "--save", "", "--appendonly", "no",
                "--protected-mode", "no", "--dir", dir.toString());
        assertThat(net.awaitListening(ns, 6379)).as("redis-server: %s", net.log("redis.log")).isTrue();
        // no --hosts: the name comes from dnsmasq, asked by the stack's resolver over the jnet stack
        List<String> cmd = new java.util.ArrayList<>(ChildProcess.javaCommand(Main.class, "run", "jnet", net.vnl(),
                "--conf", "eth,ip=" + VdeNet.NET + "50/24,dns=" + PEER + ",domain=test", "--",
                "-cp", System.getProperty("java.class.path"), JedisMain.class.getName(), "cache", "6379", "100"));
        ChildProcess.Result r = net.runIsolated(90, cmd);
        assertThat(r.output()).as(r.output()).contains("verified 100 values");
        assertThat(net.log("dnsmasq.log")).contains("query[A] cache.test from " + VdeNet.NET + "50");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void pgJdbcProgramUnderIothRunTalksToPostgresInANamespace() throws Exception {
        PostgresPeer.assume();
        String ns = net.namespace(1);
        postgres = PostgresPeer.start(net, ns, PEER);
        ChildProcess.Result r = net.runIsolated(90, iothRun("db.test=" + PEER, PgJdbcMain.class,
                "jdbc:postgresql://db.test:" + PostgresPeer.PORT + "/postgres?user=postgres&sslmode=disable&gssEncMode=disable"));
        assertThat(r.output()).as(r.output()).contains("verified " + PgRows.ROWS + " rows");
        assertThat(net.log("postgres.log")).contains("connection received: host=" + VdeNet.NET + "50 ");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void jedisProgramUnderIothRunTalksToRedisInANamespace() throws Exception {
        VdeNet.assumeKernelPeers("redis-server");
        String ns = net.namespace(1);
        net.start(ns, "redis.log", "redis-server", "--bind", PEER, "--port", "6379", "--save", "", "--appendonly", "no",
                "--protected-mode", "no", "--dir", dir.toString());
        assertThat(net.awaitListening(ns, 6379)).as("redis-server: %s", net.log("redis.log")).isTrue();
        ChildProcess.Result r = net.runIsolated(90, iothRun("cache.test=" + PEER, JedisMain.class, "cache.test", "6379", "1000"));
        assertThat(r.output()).as(r.output()).contains("verified 1000 values, dbsize 1000")
                .contains("addr=" + VdeNet.NET + "50:");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
