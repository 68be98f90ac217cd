package org.jioth.vde;

import java.util.Optional;

/**
 * A VNL that may carry an interface name in front, as libioth's vdestack takes them:
 * {@code vde0:vde:///tmp/sw}. A colon before the first {@code ://} splits the name off; a VNL
 * without {@code ://} is never split (a path may contain colons).
 */
public record InterfaceVnl(Optional<String> interfaceName, String vnl) {
    public static InterfaceVnl split(String text) {
        int sep = text.indexOf("://");
        int colon = sep < 0 ? -1 : text.indexOf(':');
        if (colon >= 0 && colon < sep) {
            return new InterfaceVnl(Optional.of(text.substring(0, colon)), text.substring(colon + 1));
        }
        return new InterfaceVnl(Optional.empty(), text);
    }
}
