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

    /** Security (issue 12, item 13): a program passing untrusted VNLs can refuse cmd:// and friends. */
    @Test
    void schemesOutsideTheAllowListAreRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        String cmd = "cmd://touch " + marker;
        assertThatThrownBy(() -> EthernetPorts.open(cmd, java.util.Set.of("vde", "null")))
                .isInstanceOfSatisfying(VnlException.class, e -> assertThat(e.part()).isEqualTo("cmd"))
                .hasMessageContaining("not allowed").hasMessageContaining("null, vde");
        // a bare path is vde://, and a VNL file is read only when vde is allowed
        Path vnlFile = dir.resolve("net.vnl");
        Files.writeString(vnlFile, cmd + "\n");
        assertThatThrownBy(() -> EthernetPorts.open(vnlFile.toString(), java.util.Set.of("null")))
                .isInstanceOf(VnlException.class).hasMessageContaining("scheme vde is not allowed");
        assertThatThrownBy(() -> EthernetPorts.open(vnlFile.toString(), java.util.Set.of("vde")))
                .isInstanceOf(VnlException.class).hasMessageContaining("scheme cmd is not allowed");
        try (EthernetPort p = EthernetPorts.open("null://", java.util.Set.of("null"))) {
            assertThat(p).isInstanceOf(NullPort.class);
        }
        assertThat(marker).doesNotExist();
    }

    /** vde's bare value, port= and portgroup= fill one variable: giving two is an error, not "the last wins". */
    @Test
    void vdePortGivenTwiceIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> EthernetPorts.open("vde://" + dir + "[4/port=5]"))
                .isInstanceOfSatisfying(VnlException.class, e -> assertThat(e.part()).isEqualTo("port=5"))
                .hasMessageContaining("port given twice");
    }

    @Test
    void theSystemPropertyRestrictsEveryOpen(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        String old = System.getProperty(EthernetPorts.SCHEMES_PROPERTY);
        System.setProperty(EthernetPorts.SCHEMES_PROPERTY, "vde, switch,null");
        try {
            assertThatThrownBy(() -> EthernetPorts.open("cmd://touch " + marker)).isInstanceOf(VnlException.class)
                    .hasMessageContaining("scheme cmd is not allowed").hasMessageContaining("-Dioth.vnl.schemes");
            // the program's own list cannot widen the property's
            assertThatThrownBy(() -> EthernetPorts.open("cmd://touch " + marker, java.util.Set.of("cmd")))
                    .isInstanceOf(VnlException.class).hasMessageContaining("scheme cmd is not allowed");
            try (EthernetPort p = EthernetPorts.open("null://")) {
                assertThat(p).isInstanceOf(NullPort.class);
            }
        } finally {
            if (old == null) {
                System.clearProperty(EthernetPorts.SCHEMES_PROPERTY);
            } else {
                System.setProperty(EthernetPorts.SCHEMES_PROPERTY, old);
            }
        }
        assertThat(marker).doesNotExist();
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
