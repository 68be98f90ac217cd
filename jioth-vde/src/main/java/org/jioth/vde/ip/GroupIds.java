package org.jioth.vde.ip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resolves a group name or number to a gid, and the caller's effective gid (for vxvde's vni/grp). */
final class GroupIds {
    private GroupIds() {
    }

    /** A number is taken as is; a name is looked up in /etc/group. Returns -1 when unknown. */
    static long resolve(String nameOrNumber) {
        String s = nameOrNumber.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(s);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(s)) {
                    return Long.parseLong(f[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The effective gid of this process (second field of the Gid: line of /proc/self/status). */
    static long effectiveGid() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith("Gid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
