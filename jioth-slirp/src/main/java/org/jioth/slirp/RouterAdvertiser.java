package org.jioth.slirp;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jioth.MacAddress;
import org.jioth.jnet.wire.Icmp6;

/**
 * The gateway's router advertisements (RFC 4861 6.2): the v6 prefix for SLAAC (on-link,
 * autonomous), the link MTU, and RDNSS (RFC 8106) naming the v6 DNS address. Sent unsolicited
 * three times at start-up ({@link #INITIAL_INTERVAL_NANOS} apart), then every
 * {@link #INTERVAL_NANOS}; a router solicitation is answered at once unless an advertisement went
 * out less than {@link #MIN_DELAY_NANOS} ago, in which case one follows when that delay is over
 * (so a flood of solicitations costs one advertisement per three seconds). Thread-safe: solicited
 * on the gateway's loop, ticked by the reactor about once a second.
 */
final class RouterAdvertiser {
    /** The RA's O flag (RFC 4861 4.2): other configuration by DHCPv6. M stays clear: addresses by SLAAC. */
    static final int OTHER_CONFIG = 0x40;
    static final long SECOND = 1_000_000_000L;
    /** MIN_DELAY_BETWEEN_RAS. */
    static final long MIN_DELAY_NANOS = 3 * SECOND;
    /** MAX_INITIAL_RTR_ADVERT_INTERVAL. */
    static final long INITIAL_INTERVAL_NANOS = 16 * SECOND;
    static final int INITIAL_ADVERTISEMENTS = 3;
    /** The unsolicited interval (below MaxRtrAdvInterval's default 600 s). */
    static final long INTERVAL_NANOS = 200 * SECOND;
    /** Router and RDNSS lifetime: three intervals or more, as RFC 8106 advises. */
    static final int ROUTER_LIFETIME_SECONDS = 1800;
    static final int VALID_LIFETIME_SECONDS = 86400;
    static final int PREFERRED_LIFETIME_SECONDS = 14400;

    private final byte[] message;
    private final Predicate<ByteBuffer> send;
    private final LongSupplier nanos;
    private long lastSent;
    private boolean sentAny;
    private boolean solicitedPending;
    private int initialLeft = INITIAL_ADVERTISEMENTS;

    /** {@code send} hands the message to the stack (false: dropped). */
    RouterAdvertiser(SlirpOptions options, Predicate<ByteBuffer> send, LongSupplier nanos) {
        this.message = message(options);
        this.send = send;
        this.nanos = nanos;
    }

    /** The advertisement, checksum left zero (the stack fills it). */
    static byte[] message(SlirpOptions options) {
        ByteBuffer b = ByteBuffer.allocate(16 + 8 + 8 + 32 + 24);
        b.put((byte) Icmp6.ROUTER_ADVERTISEMENT).put((byte) 0).putShort((short) 0); // type, code, checksum
        // hop limit, flags (O: other configuration, the DNS server, from Dhcp6Server; addresses by SLAAC), lifetime
        b.put((byte) 64).put((byte) OTHER_CONFIG).putShort((short) ROUTER_LIFETIME_SECONDS);
        b.putInt(0).putInt(0); // reachable time, retransmit timer: unspecified
        b.put((byte) 1).put((byte) 1); // source link-layer address
        b.put(MacAddress.parse(options.mac()).toByteArray());
        b.put((byte) 5).put((byte) 1).putShort((short) 0).putInt(options.mtu()); // MTU
        b.put((byte) 3).put((byte) 4).put((byte) SlirpOptions.V6_PREFIX_LENGTH).put((byte) 0xc0); // prefix: L, A
        b.putInt(VALID_LIFETIME_SECONDS).putInt(PREFERRED_LIFETIME_SECONDS).putInt(0).put(options.v6prefix().getAddress());
        b.put((byte) 25).put((byte) 3).putShort((short) 0).putInt(ROUTER_LIFETIME_SECONDS) // RDNSS
                .put(options.v6dns().getAddress());
        return b.array();
    }

    /** A router solicitation arrived. */
    synchronized void solicited() {
        if (!sentAny || nanos.getAsLong() - lastSent >= MIN_DELAY_NANOS) {
            advertise();
        } else {
            solicitedPending = true;
        }
    }

    /** Sends what is due: the start-up ones, a delayed solicited one, the periodic one. */
    synchronized void tick() {
        long now = nanos.getAsLong();
        if (!sentAny) {
            advertise();
            return;
        }
        long since = now - lastSent;
        long interval = initialLeft > 0 ? INITIAL_INTERVAL_NANOS : INTERVAL_NANOS;
        if (solicitedPending && since >= MIN_DELAY_NANOS || since >= interval) {
            advertise();
        }
    }

    private void advertise() {
        solicitedPending = false;
        sentAny = true;
        lastSent = nanos.getAsLong();
        if (initialLeft > 0) {
            initialLeft--;
        }
        send.test(ByteBuffer.wrap(message));
    }
}
