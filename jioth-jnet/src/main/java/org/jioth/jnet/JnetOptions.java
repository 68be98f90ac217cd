package org.jioth.jnet;

import java.util.List;
import java.util.OptionalLong;
import org.jioth.MacAddress;
import org.jioth.jnet.ip.AddressTable6;
import org.jioth.jnet.tcp.CongestionControl;
import org.jioth.jnet.tcp.TcpLayer;

/**
 * The options of a jnet stack, from the text after {@code "jnet,"}: comma-separated
 * {@code key=value} items (docs/jnet.md lists them).
 *
 * @param mac        the MAC of the first VDE interface (later ones count up from it); null = random
 * @param mtu        the MTU of VDE interfaces (68..9216, default 1500)
 * @param forwarding whether IPv4 datagrams are routed between interfaces (default off)
 * @param seed       the seed of the stack's visible random values (MACs, ephemeral ports, IP ids, the
 *                   ping id); empty = unpredictable. Never seeds a secret.
 * @param secretSeed the seed of the stack's secret keys (ISNs, SYN cookies, timestamp offsets, the
 *                   connection hash), only for deterministic simulations: anyone who knows it can
 *                   predict ISNs and forge cookies. Empty (the default) = keys from SecureRandom.
 * @param maxConnections the TCP connections (TIME_WAIT aside) the stack holds at most: past it
 *                   connect fails with ENOBUFS and SYNs are dropped (default 65536)
 * @param maxOrphans the connections closed by the application but still delivering data the stack
 *                   keeps at most: past it a close resets the connection (default 4096)
 * @param dad        IPv6 Duplicate Address Detection: {@code optimistic} (default, RFC 4429: addresses
 *                   usable while DAD runs), {@code strict} (tentative until DAD is done, as Linux's
 *                   default) or {@code off}
 * @param congestionControl the TCP congestion control of the stack's connections ({@code cc=bbr|cubic|newreno});
 *                   null = {@link CongestionControl#DEFAULT}
 * @param memoryBudget the bytes the stack's TCP and UDP buffers, connections and reassembly may hold
 *                   ({@code membudget=64m}); 0 = the default, a quarter of the JVM's maximum heap
 *                   (see {@link org.jioth.jnet.mem.MemoryBudget})
 * @param tso        TSO in TCP ({@code tso=1}): toward a port that segments (a tap with offload), data
 *                   leaves in segments of up to 64 KB that the port cuts at the MSS. Off by default
 *                   ({@code -Djioth.jnet.tso=true} turns it on for every stack): it saves the stack
 *                   loop CPU but measured slower through a slirp gateway on an idle machine
 *                   (docs/benchmarks.md, wave 7)
 */
public record JnetOptions(MacAddress mac, int mtu, boolean forwarding, OptionalLong seed, OptionalLong secretSeed,
        int maxConnections, int maxOrphans, AddressTable6.DadMode dad, String congestionControl, long memoryBudget,
        boolean tso) {
    public static final int DEFAULT_MTU = 1500;
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 9216;
    /** The keys {@link #parse} accepts. */
    public static final List<String> KEYS = List.of("mac", "mtu", "forwarding", "seed", "secretseed",
            "maxconnections", "maxorphans", "dad", "cc", "membudget", "tso");
    /** Whether {@code tso} is on when not given: {@code -Djioth.jnet.tso=true}. */
    public static final boolean DEFAULT_TSO = "true".equals(System.getProperty("jioth.jnet.tso"));

    public JnetOptions(MacAddress mac, int mtu, boolean forwarding, OptionalLong seed, OptionalLong secretSeed) {
        this(mac, mtu, forwarding, seed, secretSeed, TcpLayer.DEFAULT_MAX_CONNECTIONS, TcpLayer.DEFAULT_MAX_ORPHANS);
    }

    public JnetOptions(MacAddress mac, int mtu, boolean forwarding, OptionalLong seed, OptionalLong secretSeed,
            int maxConnections, int maxOrphans) {
        this(mac, mtu, forwarding, seed, secretSeed, maxConnections, maxOrphans, AddressTable6.DadMode.OPTIMISTIC, null, 0,
                DEFAULT_TSO);
    }

    public static JnetOptions defaults() {
        return new JnetOptions(null, DEFAULT_MTU, false, OptionalLong.empty(), OptionalLong.empty());
    }

    /** Parses {@code "mac=02:…,mtu=1400,forwarding=1,seed=42,secretseed=7"}; "" gives the defaults. */
    public static JnetOptions parse(String text) {
        JnetOptions o = defaults();
        if (text == null || text.isBlank()) {
            return o;
        }
        MacAddress mac = null;
        int mtu = DEFAULT_MTU;
        boolean forwarding = false;
        OptionalLong seed = OptionalLong.empty();
        OptionalLong secretSeed = OptionalLong.empty();
        int maxConnections = TcpLayer.DEFAULT_MAX_CONNECTIONS;
        int maxOrphans = TcpLayer.DEFAULT_MAX_ORPHANS;
        AddressTable6.DadMode dad = AddressTable6.DadMode.OPTIMISTIC;
        String cc = null;
        long memoryBudget = 0;
        boolean tso = DEFAULT_TSO;
        for (String item : text.split(",")) {
            String it = item.strip();
            if (it.isEmpty()) {
                continue;
            }
            int eq = it.indexOf('=');
            String key = eq < 0 ? it : it.substring(0, eq).strip();
            String value = eq < 0 ? "" : it.substring(eq + 1).strip();
            try {
                switch (key) {
                    case "mac" -> {
                        mac = MacAddress.parse(value);
                        if (mac.isMulticast()) {
                            throw new IllegalArgumentException("a NIC address must be unicast (first byte even)");
                        }
                    }
                    case "mtu" -> {
                        mtu = Integer.parseInt(value);
                        if (mtu < MIN_MTU || mtu > MAX_MTU) {
                            throw new IllegalArgumentException("must be in " + MIN_MTU + ".." + MAX_MTU);
                        }
                    }
                    case "forwarding" -> forwarding = flag(value);
                    case "tso" -> tso = flag(value);
                    case "seed" -> seed = OptionalLong.of(Long.parseLong(value));
                    case "secretseed" -> secretSeed = OptionalLong.of(Long.parseLong(value));
                    case "maxconnections" -> {
                        maxConnections = Integer.parseInt(value);
                        if (maxConnections < 1) {
                            throw new IllegalArgumentException("must be at least 1");
                        }
                    }
                    case "maxorphans" -> {
                        maxOrphans = Integer.parseInt(value);
                        if (maxOrphans < 0) {
                            throw new IllegalArgumentException("must not be negative");
                        }
                    }
                    case "dad" -> dad = switch (value) {
                        case "optimistic" -> AddressTable6.DadMode.OPTIMISTIC;
                        case "strict", "1", "on" -> AddressTable6.DadMode.STRICT;
                        case "off", "0" -> AddressTable6.DadMode.OFF;
                        default -> throw new IllegalArgumentException("want optimistic, strict or off");
                    };
                    case "cc" -> cc = CongestionControl.requireKnown(value);
                    case "membudget" -> {
                        memoryBudget = org.jioth.jnet.mem.MemoryBudget.parseSize(value, "size");
                        if (memoryBudget < org.jioth.jnet.mem.MemoryBudget.MIN_LIMIT) {
                            throw new IllegalArgumentException("must be at least "
                                    + org.jioth.jnet.mem.MemoryBudget.MIN_LIMIT / 1024 + "k");
                        }
                    }
                    default -> throw new IllegalArgumentException(
                            "unknown jnet option '" + key + "' (accepted: " + String.join("=, ", KEYS) + "=)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("jnet option " + it + ": not a number", e);
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("unknown jnet option")) {
                    throw e;
                }
                throw new IllegalArgumentException("jnet option " + it + ": " + e.getMessage(), e);
            }
        }
        return new JnetOptions(mac, mtu, forwarding, seed, secretSeed, maxConnections, maxOrphans, dad, cc, memoryBudget,
                tso);
    }

    private static boolean flag(String value) {
        return switch (value) {
            case "1", "on", "true", "yes", "" -> true;
            case "0", "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("want 0 or 1");
        };
    }
}
