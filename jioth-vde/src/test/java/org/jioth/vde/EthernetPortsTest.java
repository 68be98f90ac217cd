package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EthernetPortsTest {
    @Test
    void nullSchemeIsRegisteredAndDrops() throws Exception {
        assertThat(EthernetPorts.schemes()).containsKey("null");
        try (EthernetPort p = EthernetPorts.open("null://")) {
            assertThat(p).isInstanceOf(NullPort.class);
            assertThat(p.send(Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "x"))).isTrue();
            assertThat(p.statistics().framesOut.sum()).isEqualTo(1);
        }
    }

    @Test
    void unknownSchemeNamesTheKnownOnes() {
        assertThatThrownBy(() -> EthernetPorts.open("nosuch://x")).isInstanceOf(VnlException.class)
                .hasMessageContaining("nosuch://x").hasMessageContaining("known: ").hasMessageContaining("null")
                .hasMessageContaining("switch").hasMessageContaining("vde");
        assertThat(EthernetPorts.schemes()).containsKeys("vde", "switch", "hub", "multi", "bonding", "null");
        assertThat(EthernetPorts.scheme("hub")).isInstanceOf(NodeScheme.class);
    }

    @Test
    void interfaceNameSplit() {
        assertThat(InterfaceVnl.split("vde0:vde:///tmp/sw"))
                .isEqualTo(new InterfaceVnl(Optional.of("vde0"), "vde:///tmp/sw"));
        assertThat(InterfaceVnl.split("vde:///tmp/sw")).isEqualTo(new InterfaceVnl(Optional.empty(), "vde:///tmp/sw"));
        assertThat(InterfaceVnl.split("/tmp/a:b")).isEqualTo(new InterfaceVnl(Optional.empty(), "/tmp/a:b"));
        assertThat(InterfaceVnl.split("eth1:udp://5000->::1:6000"))
                .isEqualTo(new InterfaceVnl(Optional.of("eth1"), "udp://5000->::1:6000"));
    }

    @Test
    void defaultNetworkAndVnlFiles(@TempDir Path home) throws Exception {
        assertThat(EthernetPorts.defaulted("", home)).isEmpty();
        Files.createDirectories(home.resolve(".vde2/default.switch"));
        assertThat(EthernetPorts.defaulted("", home)).isEqualTo(home.resolve(".vde2/default.switch").toString());
        Files.createDirectories(home.resolve(".vdeplug"));
        Files.writeString(home.resolve(".vdeplug/default"), "vxvde://239.1.2.3\nignored\n");
        assertThat(EthernetPorts.defaulted("", home)).isEqualTo("vxvde://239.1.2.3");
        Path file = home.resolve("net.vnl");
        Files.writeString(file, "null://\n");
        assertThat(EthernetPorts.defaulted(file.toString(), home)).isEqualTo("null://");
        assertThat(EthernetPorts.defaulted("vde://" + file, home)).isEqualTo("vde://" + file);
        assertThat(EthernetPorts.defaulted(home.toString(), home)).isEqualTo(home.toString());
    }
}
