package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.VdeClientInteropTest.frame;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.jioth.vde.Frames.Recorder;
import org.jioth.vde.VdeTools.VdePlug;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bonding:// and multi:// served to real vde_plug clients, and a vde_plug cable between our switch and vde_switch. */
class NodeKindsInteropTest {
    static final String BCAST = "ff:ff:ff:ff:ff:ff";
    static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path base;

    @Test
    void bondingRoundRobinsHostFramesAndSendsClientFramesToTheHostOnly() throws Exception {
        Path dir = base.resolve("bond");
        try (EthernetPort host = EthernetPorts.open("bonding://" + dir)) {
            Recorder hostRx = new Recorder();
            host.setSink(hostRx);
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            try (VdePlug a = new VdePlug("bond-a", "vde://" + dir); VdePlug b = new VdePlug("bond-b", "vde://" + dir)) {
                waitUntil("two clients", () -> served.socketClients() == 2);
                byte[][] f = new byte[4][];
                for (int i = 0; i < 4; i++) {
                    f[i] = frame(BCAST, "02:00:00:00:00:01", 40 + i, i);
                    host.send(ByteBuffer.wrap(f[i]));
                }
                // two each, alternating; which plug joined first decides who gets f[0]
                byte[] a0 = a.next(VdeTools.TIMEOUT), a1 = a.next(VdeTools.TIMEOUT);
                byte[] b0 = b.next(VdeTools.TIMEOUT), b1 = b.next(VdeTools.TIMEOUT);
                if (java.util.Arrays.equals(a0, f[0])) {
                    assertThat(a1).isEqualTo(f[2]);
                    assertThat(b0).isEqualTo(f[1]);
                    assertThat(b1).isEqualTo(f[3]);
                } else {
                    assertThat(a0).isEqualTo(f[1]);
                    assertThat(a1).isEqualTo(f[3]);
                    assertThat(b0).isEqualTo(f[0]);
                    assertThat(b1).isEqualTo(f[2]);
                }
                byte[] up = frame(BCAST, "02:00:00:00:00:0a", 60, 9);
                a.send(up);
                waitUntil("the host to get the client frame", () -> hostRx.frames.size() == 1);
                assertThat(hostRx.frames.getFirst()).isEqualTo(up);
                assertThat(b.next(QUIET)).as("client frames go to the host only").isNull();
            }
        }
    }

    @Test
    void multiSendsHostFramesToEveryClient() throws Exception {
        Path dir = base.resolve("multi");
        try (EthernetPort host = EthernetPorts.open("multi://" + dir)) {
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            try (VdePlug a = new VdePlug("multi-a", "vde://" + dir); VdePlug b = new VdePlug("multi-b", "vde://" + dir)) {
                waitUntil("two clients", () -> served.socketClients() == 2);
                byte[] f = frame("02:00:00:00:00:0a", "02:00:00:00:00:01", 70, 5);
                host.send(ByteBuffer.wrap(f));
                assertThat(a.next(VdeTools.TIMEOUT)).isEqualTo(f);
                assertThat(b.next(VdeTools.TIMEOUT)).isEqualTo(f);
                a.send(frame(BCAST, "02:00:00:00:00:0a", 70, 6));
                assertThat(b.next(QUIET)).isNull();
            }
        }
    }

    @Test
    void vdePlugCablesOurSwitchToVdeSwitch() throws Exception {
        Path javaDir = base.resolve("javasw");
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort host = EthernetPorts.open("switch://" + javaDir);
                VdePlug far = new VdePlug("far-end", "vde://" + sw.dir)) {
            NodeDirectory served = NodeDirectory.lookup(javaDir.toRealPath());
            Recorder hostRx = new Recorder();
            host.setSink(hostRx);
            // vde_plug in cable mode: our switch <-> vde_switch
            Process cable = new ProcessBuilder("vde_plug", "vde://" + javaDir, "vde://" + sw.dir)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                waitUntil("the cable on our switch", () -> served.socketClients() == 1);
                waitUntil("the cable and far end on vde_switch", () -> {
                    try {
                        String p = sw.command("port/print");
                        return p.contains("far-end") && p.split("Port 0").length >= 3;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                byte[] out = frame(BCAST, "02:00:00:00:00:01", 500, 21);
                host.send(ByteBuffer.wrap(out));
                assertThat(far.next(VdeTools.TIMEOUT)).isEqualTo(out);
                byte[] back = frame("02:00:00:00:00:01", "02:00:00:00:00:0f", 700, 22);
                far.send(back);
                waitUntil("the frame from vde_switch's side to reach our host", () -> hostRx.frames.size() == 1);
                assertThat(hostRx.frames.getFirst()).isEqualTo(back);
            } finally {
                cable.destroy();
                if (!cable.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    cable.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        }
    }
}
