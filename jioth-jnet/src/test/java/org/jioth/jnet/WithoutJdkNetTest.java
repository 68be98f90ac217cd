package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;

/**
 * jnet in a JVM whose boot layer has no jdk.net (what {@code java -m some.module} gives class-path
 * code): its socket channels still open, without the keep-alive tuning options. It failed before the
 * fix with NoClassDefFoundError jdk/net/ExtendedSocketOptions at JnetSocketChannel's initializer.
 */
class WithoutJdkNetTest {

    public static void main(String[] args) throws Exception {
        try (IothStack stack = Ioth.newStack("jnet");
             SocketChannel ch = stack.provider().openSocketChannel()) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            System.out.println("options " + ch.supportedOptions().size() + " nodelay " + ch.getOption(StandardSocketOptions.TCP_NODELAY));
        }
    }

    @Test
    void socketChannelsOpenWithoutJdkNet() throws Exception {
        List<String> cmd = new ArrayList<>(ChildProcess.javaCommand(WithoutJdkNetTest.class));
        cmd.add(1, "--limit-modules=java.base");
        ChildProcess.Result r = ChildProcess.run(cmd, 60);
        // the six standard ones, IPV6_V6ONLY (the default family is INET6) and TCP_PACING: no keep-alive trio
        assertThat(r.output()).as(r.output()).contains("options 8 nodelay true");
        assertThat(r.exitCode()).isZero();
    }
}
