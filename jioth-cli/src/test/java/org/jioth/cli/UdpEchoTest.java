package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.junit.jupiter.api.Test;

class UdpEchoTest {

    @Test
    void datagramsComeBackToTheirSender() throws Exception {
        try (IothStack s = Ioth.newStack("jnet");
             UdpEcho echo = new UdpEcho(s, new InetSocketAddress(5000), null);
             DatagramChannel c = s.provider().openDatagramChannel()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.localAddress().getPort());
            for (String text : new String[] {"hello", "x".repeat(3000)}) {
                c.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), to);
                ByteBuffer in = ByteBuffer.allocate(4096);
                assertThat(c.receive(in)).isEqualTo(to);
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo(text);
            }
        }
    }
}
