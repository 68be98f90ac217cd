package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.jioth.vde.Frames.Recorder;
import org.jioth.vde.VdeTools.VdePlug;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java vde:// client against Debian's vde_switch 2.3.2, with a real vde_plug on the same switch. */
class VdeClientInteropTest {
    @TempDir
    Path base;

    static byte[] frame(String dst, String src, int payload, long seed) {
        byte[] f = new byte[14 + payload];
        new Random(seed).nextBytes(f);
        System.arraycopy(Frames.mac(dst), 0, f, 0, 6);
        System.arraycopy(Frames.mac(src), 0, f, 6, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        return f;
    }

    @Test
    void framesCrossByteExactBothWaysOnARequestedPort() throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort java = EthernetPorts.open("vde://" + sw.dir + "[5]");
                VdePlug plug = new VdePlug("interop-plug", "vde://" + sw.dir)) {
            Recorder rx = new Recorder();
            java.setSink(rx);
            waitUntil("vde_plug on the switch", () -> print(sw).contains("interop-plug"));
            String ports = print(sw);
            assertThat(ports).contains("Port 0005");
            String port5 = ports.substring(ports.indexOf("Port 0005"));
            int next = port5.indexOf("Port 0", 4);
            assertThat(next < 0 ? port5 : port5.substring(0, next)).contains("jioth: user=");

            // vde_plug -> java: broadcast, byte-exact
            byte[] fromPlug = frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:aa", 100, 1);
            plug.send(fromPlug);
            waitUntil("the java port to receive", () -> rx.frames.size() >= 1);
            assertThat(rx.frames.getFirst()).isEqualTo(fromPlug);

            // java -> vde_plug: unicast to the learned MAC of the plug, a full-size frame
            byte[] fromJava = frame("02:00:00:00:00:aa", "02:00:00:00:00:bb", 1500, 2);
            assertThat(java.send(ByteBuffer.wrap(fromJava))).isTrue();
            assertThat(plug.next(VdeTools.TIMEOUT)).isEqualTo(fromJava);
            byte[] small = frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:bb", 46, 3);
            assertThat(java.send(ByteBuffer.wrap(small))).isTrue();
            assertThat(plug.next(VdeTools.TIMEOUT)).isEqualTo(small);
            assertThat(java.statistics().framesOut.sum()).isEqualTo(2);
            assertThat(java.statistics().framesIn.sum()).isEqualTo(1);

            java.close();
            waitUntil("the switch to free port 5", () -> !print(sw).contains("jioth: user="));
        }
    }

    @Test
    void portZeroAndHangUpDetection() throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort java = EthernetPorts.open(sw.dir + "[0/reconnect=0]")) {
            String ports = print(sw);
            assertThat(ports).contains("Port 0000");
            assertThat(java).isInstanceOf(VdePort.class);
            assertThat(((VdePort) java).switchSocket()).startsWith(sw.dir + "/000.");
            sw.process.destroy(); // the switch goes away: our control stream ends
            waitUntil("the port to notice the hang-up", ((VdePort) java)::isHungUp);
        }
    }

    @Test
    void missingSwitchIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EthernetPorts.open("vde://" + base.resolve("none")))
                .isInstanceOf(java.net.ConnectException.class).hasMessageContaining("does not exist");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EthernetPorts.open("vde://" + base))
                .isInstanceOf(java.net.ConnectException.class).hasMessageContaining(base + "/ctl");
    }

    private static String print(VdeSwitch sw) {
        try {
            return sw.command("port/print");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void describesLikeLibvdeplug() {
        assertThat(VdeScheme.description("jioth:")).matches("jioth: user=\\S+ pid=\\d+.*");
    }
}
