package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.List;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * Every jnet channel refuses an option it does not support and a value that is null or of the
 * wrong type as the JDK's channels do, naming the option (one check shared by the three kinds).
 */
class ChannelOptionChecksTest {

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void unsupportedOptionsAndBadValuesAreRefusedByEveryChannel() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            try (NetworkChannel tcp = s.provider().openSocketChannel();
                 NetworkChannel listener = s.provider().openServerSocketChannel();
                 NetworkChannel udp = s.provider().openDatagramChannel()) {
                for (NetworkChannel c : List.of(tcp, listener, udp)) {
                    SocketOption unsupported = c == udp ? StandardSocketOptions.TCP_NODELAY
                            : StandardSocketOptions.IP_MULTICAST_TTL;
                    assertThatThrownBy(() -> c.setOption(unsupported, 1))
                            .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(unsupported.name());
                    assertThatThrownBy(() -> c.getOption(unsupported))
                            .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("not supported by jnet");
                    SocketOption rcvbuf = StandardSocketOptions.SO_RCVBUF;
                    assertThatThrownBy(() -> c.setOption(rcvbuf, null))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_RCVBUF");
                    assertThatThrownBy(() -> c.setOption(rcvbuf, "big"))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad value");
                }
            }
        }
    }
}
