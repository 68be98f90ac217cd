package org.jioth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * The network the two stacks of a {@link StackBench} row share: our switch hosted in this JVM
 * ({@code injvm}), a {@code vde_switch} the bench starts ({@code vde_switch}; with
 * {@code vde_switch-2proc} the server stack runs in a child JVM), or any VNL given (something
 * with {@code ://}, for a network someone else runs).
 */
final class BenchNetwork implements AutoCloseable {
    static final String IN_JVM = "injvm";
    static final String VDE_SWITCH = "vde_switch";
    /** vde_switch with the server stack of a row in a child JVM: two processes, as two programs would be. */
    static final String VDE_SWITCH_2PROC = "vde_switch-2proc";
    static final String CROSS_PROCESS_DESCRIPTION = "vde_switch, server stack in a child JVM";

    private final String name;
    private final String description;
    private final String vnl;
    private final AutoCloseable owned;
    private final Path switchDir;
    private final VdeSwitchConsole console;

    private BenchNetwork(String name, String description, String vnl, AutoCloseable owned) {
        this(name, description, vnl, owned, null, null);
    }

    private BenchNetwork(String name, String description, String vnl, AutoCloseable owned, Path switchDir,
            VdeSwitchConsole console) {
        this.name = name;
        this.description = description;
        this.vnl = vnl;
        this.owned = owned;
        this.switchDir = switchDir;
        this.console = console;
    }

    /** Checks the spelling only, so a typo fails before anything is measured. */
    static void check(String spec) {
        if (!spec.equals(IN_JVM) && !spec.equals(VDE_SWITCH) && !spec.equals(VDE_SWITCH_2PROC) && !spec.contains("://")) {
            throw new IllegalArgumentException("unknown network '" + spec + "' (known: " + IN_JVM + ", " + VDE_SWITCH
                    + ", " + VDE_SWITCH_2PROC + ", or a VNL such as vde:///tmp/sw)");
        }
    }

    static BenchNetwork open(String spec) throws IOException {
        check(spec);
        return switch (spec) {
            case IN_JVM -> inJvm();
            case VDE_SWITCH, VDE_SWITCH_2PROC -> {
                if (!SwitchUnderTest.External.vdeSwitchInstalled()) {
                    throw new IOException("vde_switch is not installed (Debian package vde-switch)");
                }
                SwitchUnderTest.External sw = SwitchUnderTest.External.vdeSwitch();
                yield spec.equals(VDE_SWITCH) ? new BenchNetwork(spec, "vde_switch (own process)", sw.vnl(), sw, null, sw.console())
                        : new BenchNetwork(spec, CROSS_PROCESS_DESCRIPTION, sw.vnl(), sw, sw.dir(), sw.console());
            }
            default -> new BenchNetwork(spec, spec, spec, null);
        };
    }

    /** {@code switch://TMP/sw} hosted by this JVM; the stacks' {@code vde://TMP/sw} attach in memory. */
    private static BenchNetwork inJvm() throws IOException {
        Path base = Files.createTempDirectory("jioth-stackbench-");
        Path dir = base.resolve("sw");
        EthernetPort host;
        try {
            host = EthernetPorts.open("switch://" + dir);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(base);
            throw e;
        }
        return new BenchNetwork(IN_JVM, "our switch:// in this JVM", "vde://" + dir, () -> {
            try {
                host.close();
            } finally {
                Files.deleteIfExists(dir);
                Files.deleteIfExists(base);
            }
        });
    }

    String name() {
        return name;
    }

    /** What the table calls it. */
    String description() {
        return description;
    }

    String vnl() {
        return vnl;
    }

    /** True when each row's server stack runs in a child JVM ({@link StackPeer}). */
    boolean twoProcesses() {
        return name.equals(VDE_SWITCH_2PROC);
    }

    /** The console of the vde_switch the bench started (its port counters); null if none. */
    VdeSwitchConsole console() {
        return console;
    }

    /** The directory of the switch the bench started, for plugging kernel namespaces in; null if none. */
    Path switchDir() {
        return switchDir;
    }

    @Override
    public void close() throws IOException {
        if (owned == null) {
            return;
        }
        try {
            owned.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
