package org.jioth.vde.ptp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jioth.vde.portsupport.OptionReader;

/**
 * The settings of {@code ptp://PATH}: a point-to-point link over one AF_UNIX socket path; both ends
 * use the same path.
 *
 * @param path the socket path (at most 107 bytes; the legacy second end also uses {@code path+})
 * @param mode option {@code mode}: {@code legacy} (SOCK_DGRAM, what Debian's vde_plug 4.0.1 speaks)
 *             or {@code seqpacket} (the current upstream protocol)
 */
public record PtpSettings(Path path, Mode mode) {
    public enum Mode { LEGACY, SEQPACKET }

    /** jioth's option (the reference has none): choose the protocol generation. */
    public static final List<String> OPTIONS = List.of("mode");

    public PtpSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length + 1; // room for the legacy '+'
        if (path.toString().isEmpty() || bytes > 107) {
            throw new IllegalArgumentException("ptp: socket path must have 1..106 bytes: '" + path + "'");
        }
    }

    /** Main argument: the socket path. Option {@code mode=legacy|seqpacket}, default legacy. */
    public static PtpSettings fromOptions(String mainArgument, Map<String, String> options) {
        OptionReader r = new OptionReader("ptp", options, OPTIONS);
        String m = r.string("mode", "legacy").toLowerCase(Locale.ROOT);
        Mode mode = switch (m) {
            case "legacy" -> Mode.LEGACY;
            case "seqpacket" -> Mode.SEQPACKET;
            default -> throw r.bad("mode", m, "legacy or seqpacket");
        };
        if (mainArgument == null || mainArgument.isBlank()) {
            throw new IllegalArgumentException("ptp: a socket path is required, as in ptp:///tmp/link");
        }
        return new PtpSettings(Path.of(mainArgument), mode);
    }

    @Override
    public String toString() {
        return "ptp://" + path + (mode == Mode.SEQPACKET ? "[mode=seqpacket]" : "");
    }
}
