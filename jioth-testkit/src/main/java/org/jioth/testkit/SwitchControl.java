package org.jioth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a VDE switch started by a test ({@code vde_switch -s DIR} or our hosted
 * {@code switch://DIR}) takes connections yet. Its {@code ctl} socket file exists from the
 * switch's {@code bind}, a moment before its {@code listen}: a plug that connects in between is
 * refused (ECONNREFUSED), which a loaded CI machine turned into a failed test. So a test waits
 * until the kernel lists the socket as listening, not until the file is there.
 *
 * <p>The check only reads {@code /proc/net/unix}: it never connects. A probe connection that
 * closed without a request made Debian's {@code vde_switch} lose track of a later port's hang-up
 * (the switch kept a closed port about one time in six, VdeClientInteropTest).
 */
public final class SwitchControl {
    /** {@code __SO_ACCEPTCON} in {@code /proc/net/unix}'s Flags column: the socket listens. */
    private static final int ACCEPTING = 0x10000;

    private SwitchControl() {
    }

    /**
     * True if {@code switchDir/ctl} exists and is listening. A socket of a switch in another
     * network namespace (not in this namespace's {@code /proc/net/unix}) counts as listening once
     * its file exists, as before.
     */
    public static boolean listening(Path switchDir) {
        Path ctl = switchDir.resolve("ctl");
        if (!Files.exists(ctl)) {
            return false;
        }
        String path = ctl.toAbsolutePath().toString();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/unix"));
        } catch (IOException | RuntimeException e) {
            return true; // no /proc: the file is all there is to go by
        }
        boolean seen = false;
        for (String line : lines) {
            // Num RefCount Protocol Flags Type St Inode Path
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[7].equals(path)) {
                seen = true;
                try {
                    if ((Integer.parseInt(f[3], 16) & ACCEPTING) != 0) {
                        return true;
                    }
                } catch (NumberFormatException e) {
                    // the header line or a format we do not know: look on
                }
            }
        }
        return !seen;
    }
}
