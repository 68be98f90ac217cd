package org.jioth.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import org.jioth.Errno;
import org.junit.jupiter.api.Test;

class SocketErrorsTest {

    @Test
    void errnosMapToTheJdksExceptions() {
        assertThat(SocketErrors.of("connect to 10.0.0.1:80", Errno.ECONNREFUSED.value(), false))
                .isInstanceOf(ConnectException.class).hasMessage("connect to 10.0.0.1:80: Connection refused (ECONNREFUSED)");
        assertThat(SocketErrors.of("datagram read", Errno.ECONNREFUSED.value(), true)).isInstanceOf(PortUnreachableException.class);
        assertThat(SocketErrors.of("connect", Errno.ETIMEDOUT.value(), false)).isInstanceOf(ConnectException.class);
        assertThat(SocketErrors.of("send", Errno.EHOSTUNREACH.value(), true)).isInstanceOf(NoRouteToHostException.class);
        assertThat(SocketErrors.of("send", Errno.ENETUNREACH.value(), true)).isInstanceOf(NoRouteToHostException.class)
                .hasMessageContaining("Network is unreachable");
        assertThat(SocketErrors.of("connect", Errno.EADDRNOTAVAIL.value(), false)).isInstanceOf(BindException.class)
                .hasMessageContaining("Cannot assign requested address");
        assertThat(SocketErrors.of("bind :80", Errno.EACCES.value(), false)).isInstanceOf(BindException.class);
        assertThat(SocketErrors.of("send", Errno.EACCES.value(), true)).isExactlyInstanceOf(SocketException.class)
                .hasMessageContaining("Permission denied");
        assertThat(SocketErrors.of("read", 9999, false)).isExactlyInstanceOf(SocketException.class).hasMessage("read: errno 9999");
    }

    @Test
    void addressesAreChecked() {
        InetSocketAddress ok = new InetSocketAddress("127.0.0.1", 1);
        assertThat(SocketErrors.checkAddress(ok)).isSameAs(ok);
        assertThatThrownBy(() -> SocketErrors.checkAddress(InetSocketAddress.createUnresolved("x", 1)))
                .isInstanceOf(UnresolvedAddressException.class);
        assertThatThrownBy(() -> SocketErrors.checkAddress(java.net.UnixDomainSocketAddress.of("/x")))
                .isInstanceOf(UnsupportedAddressTypeException.class);
        assertThatThrownBy(() -> SocketErrors.checkAddress(null)).isInstanceOf(NullPointerException.class);
    }
}
