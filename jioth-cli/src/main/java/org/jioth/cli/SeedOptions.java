package org.jioth.cli;

import java.io.PrintStream;
import java.util.List;
import org.jioth.IothStack;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code ioth server} and {@code ioth client} share (a picocli mixin): the stack and its VNLs,
 * and the seed's network set-up of one interface (address, gateway, interface name), or the
 * loopback only by explicit choice.
 */
final class SeedOptions {
    @Parameters(index = "0", paramLabel = "STACK", description = "plug-in name, optionally name,options")
    String stack;

    @Parameters(index = "1..*", paramLabel = "VNL", description = "one interface per VNL (vde0, vde1, ...)")
    List<String> vnls;

    @Option(names = "--addr", paramLabel = "ADDR/PREFIX",
            description = "address of IFNAME, IPv4 or IPv6, repeatable (e.g. --addr 192.168.250.50/24 --addr fd00::50/64;"
                    + " default 192.168.250.50/24 for the server, .51/24 for the client)")
    List<String> addresses;

    @Option(names = "--gateway", paramLabel = "ADDR",
            description = "default gateway, one per family (repeatable), '' for none"
                    + " (default 192.168.250.1 when an IPv4 --addr is given)")
    List<String> gateways;

    @Option(names = "--ifname", defaultValue = "vde0", description = "interface to configure (default ${DEFAULT-VALUE})")
    String ifname;

    @Option(names = {"-p", "--port"}, defaultValue = "5000", description = "TCP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--lo", description = "no interface: use the stack's loopback only (no VNL needed)")
    boolean loopbackOnly;

    @Option(names = "--conf", paramLabel = "CONF",
            description = "an iothconf string instead of --addr/--gateway, e.g. eth,dhcp or eth,ip=ADDR/PREFIX,gw=ADDR,dns=ADDR")
    String conf;

    /** The --addr/--gateway set-up ({@code defaultAddress} when no --addr is given). */
    SeedNetwork network(String defaultAddress) {
        return SeedNetwork.parse(ifname, addresses != null && !addresses.isEmpty() ? addresses : List.of(defaultAddress),
                gateways);
    }

    List<String> vnls() {
        return vnls == null ? List.of() : vnls;
    }

    /**
     * Opens the stack and sets the seed's network up on IFNAME; null after saying what is wrong on
     * {@code err} (no stack, or no IFNAME: a VNL is missing and --lo was not asked for).
     */
    IothStack openConfigured(String command, String defaultAddress, PrintStream err) {
        SeedNetwork net = network(defaultAddress);
        IothStack s = StackOpener.open(stack, vnls(), err);
        if (s == null) {
            return null;
        }
        if (loopbackOnly) {
            return s;
        }
        try {
            s.ifNameToIndex(ifname);
        } catch (java.io.IOException | RuntimeException e) {
            err.println("ioth " + command + ": stack " + stack + " has no interface " + ifname + " (" + e.getMessage()
                    + "): give a VNL, e.g. ioth " + command + " " + stack + " vde:///tmp/sw, or --lo for the loopback only");
            closeQuietly(s);
            return null;
        }
        if (conf == null) {
            net.apply(s, err);
            return s;
        }
        try {
            org.jioth.conf.IothConf.Result r = s.configure(conf);
            if (conf.contains("dhcp") && !r.steps().contains(org.jioth.conf.IothConf.Step.DHCP)) {
                err.println("ioth " + command + ": dhcp: no lease (no DHCP server answered on " + ifname + ")");
            }
            return s;
        } catch (java.io.IOException | RuntimeException e) {
            err.println("ioth " + command + ": --conf " + conf + ": " + e.getMessage());
            closeQuietly(s);
            return null;
        }
    }

    /** The first IPv4 address of IFNAME (what --conf gave it), or null. */
    static java.net.InetAddress firstAddress(IothStack s, String ifname) {
        try {
            for (org.jioth.IfAddr a : s.interfaces()) {
                if (a.name().equals(ifname) && a.address() instanceof java.net.Inet4Address) {
                    return a.address();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** {@code ADDR (STACK, IFNAME VNL...)} for the ready line. */
    String describe(IothStack s) {
        if (loopbackOnly) {
            return s.name() + ", loopback only";
        }
        return s.name() + ", " + ifname + (vnls().isEmpty() ? "" : " " + String.join(" ", vnls()));
    }

    private static void closeQuietly(IothStack s) {
        try {
            s.closeForcibly();
        } catch (java.io.IOException ignored) {
            // nothing was opened on it
        }
    }
}
