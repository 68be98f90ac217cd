package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Ip6;

/**
 * The IPv6 addresses of the interfaces: Duplicate Address Detection for every one (RFC 4862 5.4),
 * the link-local address made when a link comes up, stateless autoconfiguration from router
 * advertisements with stable opaque interface identifiers (RFC 7217, keyed by a secret from the
 * stack's secret source), and valid/preferred lifetimes (a deprecated address stays for existing
 * traffic but is not chosen as a source; an expired one goes).
 *
 * <p>{@link DadMode}: {@code STRICT} keeps an address tentative (unused) until DAD is done;
 * {@code OPTIMISTIC} (the default, RFC 4429) uses it at once while DAD runs, so an address added
 * through NetConfig works immediately; {@code OFF} skips DAD. In both DAD modes a neighbour
 * advertisement for the address, or another node's DAD solicitation for it, marks it DUPLICATED
 * (never used; a SLAAC address is regenerated with the next DAD counter, at most
 * {@link #IDGEN_RETRIES} times). At most {@link #MAX_AUTOCONF} SLAAC addresses per interface. Loop-only.
 */
public final class AddressTable6 {
    public enum DadMode { OFF, OPTIMISTIC, STRICT }

    /** RFC 4861 RetransTimer: the wait after the DAD probe. */
    public static final long RETRANS_NANOS = 1_000_000_000L;
    /** RFC 4861 MAX_RTR_SOLICITATION_DELAY: the random wait before the first probe. */
    public static final long MAX_DELAY_NANOS = 1_000_000_000L;
    /** RFC 4862 DupAddrDetectTransmits (Linux's default). */
    public static final int DAD_TRANSMITS = 1;
    /** RFC 7217 IDGEN_RETRIES. */
    public static final int IDGEN_RETRIES = 3;
    /** Linux's max_addresses: SLAAC addresses per interface. */
    public static final int MAX_AUTOCONF = 16;
    private static final long TWO_HOURS = 7200L * 1_000_000_000L;
    private static final System.Logger LOG = System.getLogger(AddressTable6.class.getName());

    /** Sends a DAD probe: a neighbour solicitation for {@code target} from :: to its solicited-node group. */
    public interface Prober {
        void dadProbe(NetInterface nic, byte[] target);
    }

    /** Told when an address is made and when it goes (MLD joins and leaves its solicited-node group). */
    public interface Listener {
        void added(NetInterface nic, Address6 a);

        void removed(Address6 a);
    }

    private Listener listener;
    private final StackLoop loop;
    private final Counters counters;
    private final RandomGenerator random;
    private final Map<Integer, List<Address6>> byInterface = new HashMap<>();
    private final Map<Integer, NetInterface> nics = new HashMap<>();
    private byte[] secret;
    private DadMode mode = DadMode.OPTIMISTIC;
    private Prober prober;

    public AddressTable6(StackLoop loop, Counters counters, RandomGenerator random) {
        this.loop = loop;
        this.counters = counters;
        this.random = random;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    public void setProber(Prober p) {
        this.prober = p;
    }

    /** The RFC 7217 secret key (from the stack's secret source: SecureRandom unless secretseed= is given). */
    public void setSecret(byte[] key) {
        this.secret = key.clone();
    }

    public void setDadMode(DadMode m) {
        this.mode = m;
    }

    public DadMode dadMode() {
        return mode;
    }

    /** Every address of the interface, link-local first, whatever its state. */
    public List<Address6> of(int ifindex) {
        return byInterface.getOrDefault(ifindex, List.of());
    }

    public Address6 find(int ifindex, byte[] a) {
        for (Address6 x : of(ifindex)) {
            if (Arrays.equals(x.address, a)) {
                return x;
            }
        }
        return null;
    }

    /** Adds an address and starts DAD when the link is up; null when the interface has it already. */
    public Address6 add(NetInterface nic, byte[] a, int prefixLength, Address6.Origin origin) {
        if (find(nic.index, a) != null) {
            return null;
        }
        Address6[] self = new Address6[1];
        Address6 x = new Address6(a, prefixLength, nic.index, origin, () -> dadTimer(self[0]), () -> lifeTimer(self[0]));
        self[0] = x;
        List<Address6> l = byInterface.computeIfAbsent(nic.index, k -> new ArrayList<>());
        if (origin == Address6.Origin.LINK_LOCAL) {
            l.add(0, x);
        } else {
            l.add(x);
        }
        nics.put(nic.index, nic);
        if (listener != null) {
            listener.added(nic, x);
        }
        if (nic.isUp()) {
            startDad(x);
        } else {
            x.state = mode == DadMode.OFF ? Address6.State.PREFERRED : Address6.State.TENTATIVE;
        }
        return x;
    }

    public boolean remove(int ifindex, byte[] a, int prefixLength) {
        Address6 x = find(ifindex, a);
        if (x == null || x.prefixLength != prefixLength) {
            return false;
        }
        drop(x);
        return true;
    }

    private void drop(Address6 x) {
        loop.timers().cancel(x.dadTimer);
        loop.timers().cancel(x.lifeTimer);
        List<Address6> l = byInterface.get(x.ifindex);
        if (l != null && l.remove(x) && listener != null) {
            listener.removed(x);
        }
    }

    /** The link came up: its link-local address (modified EUI-64) is made, and every address runs DAD. */
    public void linkUp(NetInterface nic) {
        nics.put(nic.index, nic);
        if (!nic.isLoopback() && find(nic.index, Ip6.linkLocal(nic.mac())) == null) {
            add(nic, Ip6.linkLocal(nic.mac()), 64, Address6.Origin.LINK_LOCAL);
        }
        for (Address6 x : List.copyOf(of(nic.index))) {
            if (x.state != Address6.State.DUPLICATED || x.origin != Address6.Origin.SLAAC) {
                startDad(x);
            }
        }
    }

    /** The link went down: link-local and autoconfigured addresses go, static ones wait to run DAD again. */
    public void linkDown(NetInterface nic) {
        for (Address6 x : List.copyOf(of(nic.index))) {
            if (x.origin == Address6.Origin.STATIC) {
                loop.timers().cancel(x.dadTimer);
                x.state = mode == DadMode.OFF ? Address6.State.PREFERRED : Address6.State.TENTATIVE;
            } else {
                drop(x);
            }
        }
    }

    /** The interface was deleted: every address of it goes. */
    public void forget(int ifindex) {
        for (Address6 x : List.copyOf(of(ifindex))) {
            drop(x);
        }
        byInterface.remove(ifindex);
        nics.remove(ifindex);
    }

    private void startDad(Address6 x) {
        loop.timers().cancel(x.dadTimer);
        if (mode == DadMode.OFF) {
            x.state = settled(x);
            return;
        }
        x.state = mode == DadMode.STRICT ? Address6.State.TENTATIVE : Address6.State.OPTIMISTIC;
        x.probesLeft = DAD_TRANSMITS;
        loop.timers().schedule(x.dadTimer, loop.now() + random.nextLong(MAX_DELAY_NANOS + 1));
    }

    private Address6.State settled(Address6 x) {
        return x.preferredUntil != Address6.FOREVER && loop.now() - x.preferredUntil >= 0
                ? Address6.State.DEPRECATED : Address6.State.PREFERRED;
    }

    private void dadTimer(Address6 x) {
        if (!x.isDadRunning()) {
            return;
        }
        NetInterface nic = nics.get(x.ifindex);
        if (x.probesLeft > 0) {
            x.probesLeft--;
            counters.inc(Counter.IP6_DAD_PROBES);
            if (prober != null && nic != null) {
                prober.dadProbe(nic, x.address);
            }
            loop.timers().schedule(x.dadTimer, loop.now() + RETRANS_NANOS);
            return;
        }
        x.state = settled(x);
    }

    /**
     * A neighbour advertisement for {@code target}, or another node's DAD solicitation for it (RFC
     * 4862 5.4.3, 5.4.4): if DAD runs for it here, it is a duplicate. Returns true when it was.
     */
    public boolean conflict(NetInterface nic, byte[] target) {
        Address6 x = find(nic.index, target);
        if (x == null || !x.isDadRunning()) {
            return false;
        }
        loop.timers().cancel(x.dadTimer);
        x.state = Address6.State.DUPLICATED;
        counters.inc(Counter.IP6_DAD_DUPLICATES);
        LOG.log(System.Logger.Level.WARNING, "IPv6 address {0} on {1} is used by another node (DAD failed)",
                Ip6.toString(target), nic.name);
        if (x.origin == Address6.Origin.SLAAC && x.dadCounter < IDGEN_RETRIES) {
            drop(x);
            Address6 next = add(nic, stableAddress(nic, x.address, x.prefixLength, x.dadCounter + 1), x.prefixLength,
                    Address6.Origin.SLAAC);
            if (next != null) {
                next.dadCounter = x.dadCounter + 1;
                next.validUntil = x.validUntil;
                next.preferredUntil = x.preferredUntil;
                armLife(next);
            }
        }
        return true;
    }

    /**
     * A prefix information option with the A flag (RFC 4862 5.5.3): creates the prefix's SLAAC
     * address, or updates its lifetimes (seconds, {@code 0xffffffff} = infinite) with the two-hour
     * rule against a forged short valid lifetime.
     */
    public void autoconf(NetInterface nic, byte[] prefix, int prefixLength, long valid, long preferred) {
        if (prefixLength != 64 || Ip6.isLinkLocal(prefix) || preferred > valid) {
            counters.inc(Counter.IP6_SLAAC_IGNORED);
            return;
        }
        long now = loop.now();
        Address6 have = null;
        for (Address6 x : of(nic.index)) {
            if (x.origin == Address6.Origin.SLAAC && x.state != Address6.State.DUPLICATED
                    && Ip6.samePrefix(x.address, prefix, 64)) {
                have = x;
            }
        }
        if (have == null) {
            if (valid == 0 || of(nic.index).stream().filter(x -> x.origin == Address6.Origin.SLAAC).count() >= MAX_AUTOCONF) {
                if (valid != 0) {
                    counters.inc(Counter.IP6_SLAAC_IGNORED);
                }
                return;
            }
            Address6 x = add(nic, stableAddress(nic, prefix, 64, 0), 64, Address6.Origin.SLAAC);
            if (x == null) {
                return;
            }
            x.validUntil = until(now, valid);
            x.preferredUntil = until(now, preferred);
            armLife(x);
            counters.inc(Counter.IP6_SLAAC_ADDRESSES);
            return;
        }
        have.preferredUntil = until(now, preferred);
        long remaining = have.validUntil == Address6.FOREVER ? Long.MAX_VALUE : have.validUntil - now;
        long v = valid == 0xffffffffL ? Long.MAX_VALUE : valid * 1_000_000_000L;
        if (v > TWO_HOURS || v > remaining) {
            have.validUntil = until(now, valid);
        } else if (remaining > TWO_HOURS) {
            have.validUntil = now + TWO_HOURS;
        } // else: remaining <= 2 h, ignore the valid lifetime (RFC 4862 5.5.3 e)
        if (have.state == Address6.State.DEPRECATED && preferred > 0) {
            have.state = Address6.State.PREFERRED;
        }
        armLife(have);
    }

    private static long until(long now, long seconds) {
        return seconds == 0xffffffffL ? Address6.FOREVER : now + seconds * 1_000_000_000L;
    }

    private void armLife(Address6 x) {
        loop.timers().cancel(x.lifeTimer);
        long next = Math.min(x.validUntil, x.state == Address6.State.DEPRECATED ? Address6.FOREVER : x.preferredUntil);
        if (next != Address6.FOREVER) {
            loop.timers().schedule(x.lifeTimer, Math.max(next, loop.now()));
        }
    }

    private void lifeTimer(Address6 x) {
        long now = loop.now();
        if (x.validUntil != Address6.FOREVER && now - x.validUntil >= 0) {
            drop(x);
            counters.inc(Counter.IP6_SLAAC_EXPIRED);
            return;
        }
        if (x.preferredUntil != Address6.FOREVER && now - x.preferredUntil >= 0 && x.state == Address6.State.PREFERRED) {
            x.state = Address6.State.DEPRECATED;
        }
        armLife(x);
    }

    /**
     * RFC 7217 5: the interface identifier is the first 64 bits of SHA-256(prefix, the interface's
     * MAC, the DAD counter, the secret key), never a reserved one (RFC 5453).
     */
    byte[] stableAddress(NetInterface nic, byte[] prefix, int prefixLength, int dadCounter) {
        if (secret == null) {
            throw new IllegalStateException("no RFC 7217 secret set");
        }
        try {
            for (int extra = 0; ; extra++) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(prefix, 0, 8);
                ByteBuffer mac = ByteBuffer.allocate(8).putLong(nic.mac());
                sha.update(mac.array(), 2, 6);
                sha.update((byte) (dadCounter + extra));
                sha.update(secret);
                byte[] h = sha.digest();
                byte[] a = Ip6.network(prefix, prefixLength);
                System.arraycopy(h, 0, a, 8, 8);
                if (!reservedIid(a)) {
                    return a;
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static boolean reservedIid(byte[] a) {
        long iid = ByteBuffer.wrap(a).getLong(8);
        return iid == 0 || (iid & ~0x7fL) == 0xfdffffffffffff80L; // subnet-router anycast, RFC 2526 anycast
    }
}
