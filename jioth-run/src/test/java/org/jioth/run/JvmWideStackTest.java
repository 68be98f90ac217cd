package org.jioth.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified program in a child JVM, on a jnet stack made from system properties by the agent,
 * talks to a jnet stack of this JVM through the switch this JVM hosts: NIO channels, java.net
 * sockets both ways, a name from ioth.hosts.
 */
class JvmWideStackTest {

    private static List<String> child(Path tmp, String vnl, String conf, Class<?> main) throws IOException {
        Path agent = Launcher.writeAgentJar(tmp.resolve("agent.jar"), List.of());
        RunSettings s = new RunSettings("jnet", List.of(vnl), conf,
                Map.of("server", List.of(InetAddress.ofLiteral("192.168.250.1"))), RunSettings.Resolver.STATIC);
        List<String> cmd = new ArrayList<>(List.of(Launcher.javaExecutable()));
        cmd.addAll(Launcher.jvmOptions(s, agent, false));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        return cmd;
    }

    @Test
    void anUnmodifiedProgramRunsOnTheJvmWideStack(@TempDir Path tmp) throws Exception {
        String sw = tmp.resolve("sw").toString();
        try (IothStack server = Ioth.newStackConf("jnet,seed=11", List.of("switch://" + sw), "eth,ip=192.168.250.1/24");
             ServerSocketChannel listener = server.provider().openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(5000));
            Thread echo = Thread.ofVirtual().start(() -> serve(server, listener));
            java.nio.channels.DatagramChannel udp = server.provider().openDatagramChannel();
            udp.bind(new InetSocketAddress(5001));
            Thread udpEcho = Thread.ofVirtual().start(() -> echoOneDatagram(udp));
            ChildProcess.Result r = ChildProcess.run(child(tmp, "vde://" + sw, "eth,ip=192.168.250.2/24", JvmWideProgram.class), 60);
            assertThat(r.output()).as(r.output())
                    .contains("provider org.jioth.run.StackSelectorProvider")
                    .contains("default stack is the JVM stack true")
                    .contains("nio echo nio")
                    .contains("socket echo socket from 192.168.250.1")
                    .contains("accepted hello back from 192.168.250.1")
                    .contains("udp echo udp from 192.168.250.1 to local port true")
                    .contains("unix channel from sun.nio.ch")
                    .contains("async refused: asynchronous socket channels are not offered on a jioth stack")
                    .contains("done");
            assertThat(r.exitCode()).as(r.output()).isZero();
            listener.close();
            udp.close();
            echo.join(5_000);
            udpEcho.join(5_000);
        }
    }

    @Test
    void theProviderWorksWithTheSystemPropertiesAloneNoAgent(@TempDir Path tmp) throws Exception {
        String sw = tmp.resolve("sw").toString();
        try (IothStack server = Ioth.newStackConf("jnet,seed=12", List.of("switch://" + sw), "eth,ip=192.168.250.1/24");
             ServerSocketChannel listener = server.provider().openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(5000));
            Thread echo = Thread.ofVirtual().start(() -> serve(server, listener));
            List<String> cmd = List.of(Launcher.javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                    "-Djava.nio.channels.spi.SelectorProvider=org.jioth.run.StackSelectorProvider",
                    "-Dioth.stack=jnet", "-Dioth.vnl=vde://" + sw, "-Dioth.conf=eth,ip=192.168.250.3/24",
                    "-Dioth.hosts=server=192.168.250.1", "-cp", System.getProperty("java.class.path"),
                    NioOnlyProgram.class.getName());
            ChildProcess.Result r = ChildProcess.run(cmd, 60);
            assertThat(r.output()).as(r.output()).contains("echo plain -D flags via JnetSocketChannel from /192.168.250.3:");
            assertThat(r.exitCode()).isZero();
            listener.close();
            echo.join(5_000);
        }
    }

    @Test
    void aStackThatCannotBeMadeStopsTheJvmBeforeMain(@TempDir Path tmp) throws Exception {
        ChildProcess.Result r = ChildProcess.run(child(tmp, "vde://" + tmp.resolve("no-switch-here"),
                "eth,ip=192.168.250.2/24", JvmWideProgram.class), 60);
        assertThat(r.exitCode()).as(r.output()).isEqualTo(RunAgent.STACK_FAILED);
        assertThat(r.output()).contains("ioth run: cannot make the JVM-wide stack").contains("no-switch-here")
                .doesNotContain("provider ");
    }

    @Test
    void aBadConfigurationStopsTheJvmBeforeMain(@TempDir Path tmp) throws Exception {
        ChildProcess.Result r = ChildProcess.run(child(tmp, "null://", "eth,frobnicate", JvmWideProgram.class), 60);
        assertThat(r.exitCode()).as(r.output()).isEqualTo(RunAgent.STACK_FAILED);
        assertThat(r.output()).contains("unknown option 'frobnicate'").doesNotContain("provider ");
    }

    private static void echoOneDatagram(java.nio.channels.DatagramChannel udp) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(100);
            java.net.SocketAddress from = udp.receive(b);
            udp.send(b.flip(), from);
        } catch (IOException closed) {
            // the test is over
        }
    }

    private static void serve(IothStack stack, ServerSocketChannel listener) {
        try {
            while (true) {
                SocketChannel c = listener.accept();
                Thread.ofVirtual().start(() -> echo(stack, c));
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private static void echo(IothStack stack, SocketChannel c) {
        try (c) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.US_ASCII));
            OutputStream out = Channels.newOutputStream(c);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("CALLBACK ")) {
                    int port = Integer.parseInt(line.substring(9));
                    try (SocketChannel back = stack.provider().openSocketChannel()) {
                        back.connect(new InetSocketAddress("192.168.250.2", port));
                        back.write(java.nio.ByteBuffer.wrap("hello back".getBytes(StandardCharsets.US_ASCII)));
                    }
                } else {
                    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
