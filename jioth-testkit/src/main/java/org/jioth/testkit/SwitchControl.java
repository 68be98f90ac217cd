package org.jioth.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a VDE switch started by a test ({@code vde_switch -s DIR} or our hosted
 * {@code switch://DIR}) takes connections yet. Its {@code ctl} socket file exists from the
 * switch's {@code bind}, a moment before its {@code listen}: a plug that connects in between is
 * refused (ECONNREFUSED), which a loaded CI machine turned into a failed test. So a test waits
 * until a connection is accepted, not until the file is there.
 */
public final class SwitchControl {
    private SwitchControl() {
    }

    /**
     * True if {@code switchDir/ctl} accepts a connection now. The probe connection is closed at
     * once without a request, which a switch treats as a plug that left.
     */
    public static boolean listening(Path switchDir) {
        Path ctl = switchDir.resolve("ctl");
        if (!Files.exists(ctl)) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.connect(UnixDomainSocketAddress.of(ctl));
        } catch (IOException refusedOrGone) {
            return false;
        }
    }
}
