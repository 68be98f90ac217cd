package org.jioth.bench;

import java.io.IOException;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.EthernetPort;

/**
 * A process that hosts our {@code switch://DIR} until its stdin ends, so the benchmark measures our
 * switch as a separate process, as {@code vde_switch} is. Prints {@code ready} once serving.
 */
public final class SwitchHost {
    private SwitchHost() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SwitchHost DIR");
            System.exit(2);
        }
        try (EthernetPort host = EthernetPorts.open("switch://" + args[0])) {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until stdin ends
            }
        }
    }
}
