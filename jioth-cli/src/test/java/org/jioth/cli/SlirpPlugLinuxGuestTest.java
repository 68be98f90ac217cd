package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.Commands;
import org.jioth.testkit.SwitchControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's set-up in its own processes: a Linux guest in a namespace the test makes, whose tap
 * belongs to Debian's {@code vde_switch}, and {@code ioth plug slirp:// vde://SW} (a separate JVM)
 * on the same switch. The guest's busybox udhcpc gets 10.0.2.15 by DHCP, resolves a name from the
 * host's {@code /etc/hosts} through 10.0.2.3, and fetches 64 MiB byte-exact from a server the test
 * runs on the host's 127.0.0.1, through 10.0.2.2. Needs root, /dev/net/tun, ip, vde_switch,
 * udhcpc, busybox and sha256sum; skips otherwise.
 */
class SlirpPlugLinuxGuestTest {
    static final int BODY = 64 << 20;

    @TempDir
    Path dir;

    @Test
    void aLinuxGuestOnTheSwitchGetsDhcpDnsAndTheHostsLoopbackThroughIothPlug() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "vde_switch", "udhcpc", "busybox", "sha256sum")) {
            assumeTrue(ChildProcess.works("sh", "-c", "command -v " + tool), "needs " + tool);
        }
        String ns = "slirpplug-" + UUID.randomUUID().toString().substring(0, 6);
        Path sw = dir.resolve("sw");
        Process vdeSwitch = null;
        Process plug = null;
        try (ServerSocket http = new ServerSocket()) {
            http.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread server = Thread.ofVirtual().start(() -> serve(http));
            Commands.Result made = Commands.run(10, "ip", "netns", "add", ns);
            assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
            vdeSwitch = new ProcessBuilder("ip", "netns", "exec", ns, "vde_switch", "-s", sw.toString(), "-t", "tap0")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("switch.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start(); // stdin kept open: the console
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!SwitchControl.listening(sw) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(SwitchControl.listening(sw)).as("vde_switch listens").isTrue();
            ok(Commands.run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
            ok(Commands.run(10, "ip", "-n", ns, "link", "set", "tap0", "up"));
            plug = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "plug", "slirp://", "vde://" + sw))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("plug.log").toFile()).start();

            Path script = dir.resolve("udhcpc.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    case "$1" in
                      bound|renew)
                        ip addr flush dev "$interface"
                        ip addr add "$ip/${mask:-24}" dev "$interface"
                        [ -n "$router" ] && ip route replace default via "$router" dev "$interface"
                        echo "lease ip=$ip mask=$mask router=$router dns=$dns" ;;
                    esac
                    exit 0
                    """);
            script.toFile().setExecutable(true);
            // the plug's JVM may still be starting: udhcpc asks again for up to a minute
            Commands.Result lease = Commands.run(90, "ip", "netns", "exec", ns, "udhcpc", "-i", "tap0", "-f", "-q",
                    "-n", "-t", "30", "-T", "2", "-s", script.toString());
            assertThat(lease.out()).as("udhcpc:%n%s%nplug:%n%s", lease.out(), log("plug.log"))
                    .contains("lease ip=10.0.2.15 mask=24 router=10.0.2.2 dns=10.0.2.3");

            Commands.Result dns = Commands.run(30, "ip", "netns", "exec", ns, "busybox", "nslookup", "localhost",
                    "10.0.2.3");
            assertThat(dns.out()).as(dns.out()).contains("127.0.0.1");

            Commands.Result fetch = Commands.run(300, "ip", "netns", "exec", ns, "sh", "-c",
                    "busybox wget -q -O - http://10.0.2.2:" + http.getLocalPort() + "/data | sha256sum");
            assertThat(fetch.code()).as(fetch.out()).isZero();
            assertThat(fetch.out()).startsWith(sha256());
            assertThat(plug.isAlive()).as("the plug runs on; log:%n%s", log("plug.log")).isTrue();
            server.interrupt();
        } finally {
            for (Process p : new Process[] {plug, vdeSwitch}) {
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
            Commands.run(10, "ip", "netns", "del", ns);
        }
    }

    static void ok(Commands.Result r) {
        assertThat(r.code()).as(r.out()).isZero();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }

    /** Byte i of the body is i mod 251. */
    static byte[] chunk(long from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) ((from + i) % 251);
        }
        return b;
    }

    static String sha256() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (long at = 0; at < BODY; at += 1 << 16) {
            md.update(chunk(at, 1 << 16));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A tiny HTTP/1.0 server: any request gets the body, one connection at a time, until closed. */
    static void serve(ServerSocket http) {
        while (!http.isClosed()) {
            try (Socket c = http.accept()) {
                c.getInputStream().read(new byte[4096]); // the request line and headers, not parsed
                OutputStream out = c.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (long at = 0; at < BODY; at += 1 << 16) {
                    out.write(chunk(at, 1 << 16));
                }
            } catch (IOException e) {
                // closed by the test, or a client that went away
            }
        }
    }
}
