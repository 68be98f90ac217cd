package org.jioth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.jioth.spi.StackRequest;
import org.jioth.testplugins.RecordingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IothTest {

    @BeforeEach
    void reset() {
        RecordingProvider.REQUESTS.clear();
        RecordingProvider.CLOSED.clear();
    }

    @AfterEach
    void restoreGlobals() {
        Ioth.setDefaultStack(null);
        Ioth.setLicense(null);
    }

    private static StackRequest lastRequest() {
        return RecordingProvider.REQUESTS.getLast();
    }

    @Test
    void varargsFormPassesEveryVnlInOrder() throws IOException {
        try (IothStack s = Ioth.newStack("recording", "vde:///tmp/a", "eth1:vxvde://234.0.0.1")) {
            assertThat(lastRequest().vnls()).containsExactly("vde:///tmp/a", "eth1:vxvde://234.0.0.1");
            assertThat(s.vnls()).containsExactly("vde:///tmp/a", "eth1:vxvde://234.0.0.1");
            assertThat(s.name()).isEqualTo("recording");
            assertThat(s.statistics()).containsEntry("vnls", 2L);
        }
    }

    @Test
    void listAndArrayFormsAreTheSame() throws IOException {
        try (IothStack a = Ioth.newStack("recording", List.of("null://", "vde://"));
             IothStack b = Ioth.newStack("recording", new String[] {"null://", "vde://"})) {
            assertThat(a.vnls()).isEqualTo(b.vnls()).containsExactly("null://", "vde://");
        }
    }

    @Test
    void noInterfaceForm() throws IOException {
        try (IothStack s = Ioth.newStack("recording")) {
            assertThat(lastRequest().vnls()).isEmpty();
            assertThat(s.options()).isEmpty();
        }
    }

    @Test
    void optionsAfterTheFirstCommaArePassedVerbatim() throws IOException {
        try (IothStack s = Ioth.newStack("recording,mac=80:00:00:00:00:01, mtu=9000,x", "null://")) {
            assertThat(lastRequest().options()).isEqualTo("mac=80:00:00:00:00:01, mtu=9000,x");
            assertThat(lastRequest().name()).isEqualTo("recording");
            assertThat(s.options()).isEqualTo("mac=80:00:00:00:00:01, mtu=9000,x");
            assertThat(s).hasToString("recording,mac=80:00:00:00:00:01, mtu=9000,x");
        }
    }

    @Test
    void aliasesFindThePlugin() throws IOException {
        try (IothStack s = Ioth.newStack("rec")) {
            assertThat(s.name()).isEqualTo("rec");
            assertThat(RecordingProvider.REQUESTS).hasSize(1);
        }
    }

    @Test
    void unknownPluginListsWhatWasFoundAndWhere() {
        assertThatThrownBy(() -> Ioth.newStack("nosuch", "vde://"))
                .isInstanceOf(NoSuchStackException.class)
                .hasMessageContaining("'nosuch'")
                .hasMessageContaining("recording (class path)")
                .hasMessageContaining("ioth_nosuch-r.jar")
                .hasMessageContaining(".ioth")
                .hasMessageContaining("class path")
                .satisfies(e -> assertThat(((NoSuchStackException) e).stack()).isEqualTo("nosuch"));
    }

    @Test
    void nullOrEmptyStackNameIsTheKernel() throws IOException {
        try (IothStack a = Ioth.newStack(null); IothStack b = Ioth.newStack("", "ignored://")) {
            assertThat(a.name()).isEqualTo("kernel");
            assertThat(b.name()).isEqualTo("kernel");
            try (SocketChannel ch = Ioth.msocket(a, StandardProtocolFamily.INET, SocketType.STREAM)) {
                assertThat(ch.isOpen()).isTrue();
            }
        }
    }

    @Test
    void closeRefusesWithEbusyWhileSocketsAreOpenAndTheStackStaysUsable() throws IOException {
        IothStack s = Ioth.newStack("recording", "null://");
        SocketChannel tcp = s.provider().openSocketChannel();
        DatagramChannel udp = Ioth.msocket(s, StandardProtocolFamily.INET, SocketType.DATAGRAM);
        assertThat(s.openSockets()).isEqualTo(2);

        assertThatThrownBy(s::close).isInstanceOf(StackBusyException.class)
                .hasMessageContaining("EBUSY").hasMessageContaining("2 sockets are still open")
                .satisfies(e -> assertThat(((StackBusyException) e).errno()).isEqualTo(Errno.EBUSY));
        assertThat(s.isClosed()).isFalse();
        assertThat(RecordingProvider.CLOSED).isEmpty();

        // Still usable: a new socket can be opened and used.
        try (ServerSocketChannel srv = Ioth.msocket(s, StandardProtocolFamily.INET, SocketType.STREAM_LISTENER)) {
            srv.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThat(s.openSockets()).isEqualTo(3);
        }
        tcp.close();
        assertThatThrownBy(s::close).isInstanceOf(StackBusyException.class).hasMessageContaining("1 socket is");
        udp.close();
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThat(RecordingProvider.CLOSED).hasSize(1);
        s.close(); // idempotent
        assertThat(RecordingProvider.CLOSED).hasSize(1);
        assertThatThrownBy(s::provider).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void closeForciblyClosesTheSocketsFirst() throws IOException {
        IothStack s = Ioth.newStack("recording");
        SocketChannel a = s.provider().openSocketChannel();
        ServerSocketChannel b = s.provider().openServerSocketChannel();
        s.closeForcibly();
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(s.isClosed()).isTrue();
    }

    @Test
    void defaultStackIsTheKernelUntilSetAndNullResetsIt() throws IOException {
        IothStack initial = Ioth.defaultStack();
        assertThat(initial.name()).isEqualTo("kernel");
        assertThat(Ioth.defaultStack()).isSameAs(initial);
        initial.close(); // the initial default is never deleted
        assertThat(initial.isClosed()).isFalse();

        try (IothStack rec = Ioth.newStack("recording")) {
            Ioth.setDefaultStack(rec);
            assertThat(Ioth.defaultStack()).isSameAs(rec);
            try (SocketChannel ch = Ioth.socket(StandardProtocolFamily.INET, SocketType.STREAM);
                 ServerSocketChannel srv = Ioth.msocket(null, StandardProtocolFamily.INET6, SocketType.STREAM_LISTENER)) {
                assertThat(rec.openSockets()).isEqualTo(2);
                assertThat(ch.isOpen()).isTrue();
                assertThat(srv.isOpen()).isTrue();
            }
            Ioth.setDefaultStack(null);
            assertThat(Ioth.defaultStack()).isSameAs(initial);
        }
    }

    @Test
    void licenceCheckRefusesAndNamesBothLicences() throws IOException {
        assertThatThrownBy(() -> Ioth.newStack("gpl3"))
                .isInstanceOf(LicenseException.class)
                .hasMessageContaining("GPL-3.0-or-later").hasMessageContaining("unset");
        Ioth.setLicense("SPDX-License-Identifier: GPL-2.0-only");
        assertThatThrownBy(() -> Ioth.newStack("gpl3"))
                .isInstanceOf(LicenseException.class)
                .hasMessageContaining("GPL-3.0-or-later").hasMessageContaining("GPL-2.0-only");
        Ioth.setLicense("GPL-3.0-only");
        try (IothStack s = Ioth.newStack("gpl3")) {
            assertThat(s.name()).isEqualTo("gpl3");
        }
    }

    @Test
    void configurationOfAnUnconfigurableStackNamesTheErrno() throws IOException {
        try (IothStack s = Ioth.newStack("recording")) {
            assertThatThrownBy(() -> s.ifNameToIndex("vde0"))
                    .isInstanceOf(NetConfigException.class)
                    .hasMessageContaining("EOPNOTSUPP")
                    .satisfies(e -> assertThat(((NetConfigException) e).errno()).isEqualTo("EOPNOTSUPP"));
        }
    }
}
