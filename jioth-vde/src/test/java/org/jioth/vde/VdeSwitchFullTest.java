package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11: a full Debian vde_switch gives an error naming its port limit, not a reply timeout. */
class VdeSwitchFullTest {
    @TempDir
    Path base;

    @Test
    void aFullVdeSwitchIsReportedWithItsPortLimit() throws Exception {
        VdeTools.assumeTool("vde_switch");
        Path dir = base.resolve("sw");
        Process sw = new ProcessBuilder("vde_switch", "-s", dir.toString(), "-n", "3").redirectErrorStream(true)
                .redirectOutput(base.resolve("log").toFile()).start(); // its stdin stays open: no console EOF
        List<VdePort> clients = new ArrayList<>();
        try {
            VdeTools.waitUntil("vde_switch to listen", () -> SwitchControl.listening(dir) || !sw.isAlive());
            for (int i = 0; i < 2; i++) { // ports 1 and 2: all its any-port requests can get
                clients.add(VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "c" + i));
            }
            assertThatThrownBy(() -> VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "c3").close())
                    .isInstanceOf(ConnectException.class).hasMessageContaining("all its 2 ports in use")
                    .hasMessageContaining("-n");
            // a shared port can still be had
            clients.add(VdeScheme.connect(dir.toRealPath(), 1, null, null, 0700, "shared"));
        } finally {
            for (VdePort c : clients) {
                c.close();
            }
            sw.destroy();
            if (!sw.waitFor(10, TimeUnit.SECONDS)) {
                sw.destroyForcibly();
            }
            VdeTools.deleteTree(dir);
        }
    }

    @Test
    void numPortsIsReadFromEveryFormOfTheOption() {
        assertThat(VdeSwitchCapacity.numPorts(List.of("vde_switch", "-s", "/x"))).isEqualTo(32);
        assertThat(VdeSwitchCapacity.numPorts(List.of("vde_switch", "-n", "8"))).isEqualTo(8);
        assertThat(VdeSwitchCapacity.numPorts(List.of("vde_switch", "-n9"))).isEqualTo(9);
        assertThat(VdeSwitchCapacity.numPorts(List.of("vde_switch", "--numports", "10"))).isEqualTo(10);
        assertThat(VdeSwitchCapacity.numPorts(List.of("vde_switch", "--numports=11", "-s", "/x"))).isEqualTo(11);
    }
}
