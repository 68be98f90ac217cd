package org.jioth.vde.stream;

import java.io.IOException;
import java.util.List;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetScheme;
import org.jioth.vde.Vnl;
import org.jioth.vde.VnlSyntax;

/**
 * {@code cmd://COMMAND LINE} (vde-protocols.md §12): runs the command (split into words by
 * {@link CommandLineWords}, no shell) and carries frames on its stdin/stdout in the stream framing.
 * Its stderr goes to ours. For example {@code cmd://vde_plug vde:///tmp/sw}, or through ssh.
 */
public final class CmdScheme implements EthernetScheme {
    /** For {@link java.util.ServiceLoader}. */
    public CmdScheme() {
    }

    @Override
    public List<String> names() {
        return List.of("cmd");
    }

    @Override
    public VnlSyntax syntax() {
        return VnlSyntax.raw();
    }

    @Override
    public EthernetPort open(Vnl vnl) throws IOException {
        List<String> argv;
        try {
            argv = CommandLineWords.split(vnl.main());
        } catch (IllegalArgumentException e) {
            throw vnl.error(vnl.main(), e.getMessage());
        }
        if (argv.isEmpty()) {
            throw vnl.error(vnl.main(), "no command given, as in cmd://vde_plug vde:///tmp/sw");
        }
        return CmdPort.start("cmd://" + vnl.main(), argv);
    }
}
