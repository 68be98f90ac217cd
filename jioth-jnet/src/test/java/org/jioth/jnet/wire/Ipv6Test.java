package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv6Test {
    static final byte[] SRC = InetAddress.ofLiteral("fe80::1").getAddress();
    static final byte[] DST = InetAddress.ofLiteral("fd00::2").getAddress();

    /** A datagram: fixed header, then the given extension headers (each a full header), then {@code upper} bytes. */
    static ByteBuffer datagram(int firstNext, int upperLen, byte[]... ext) {
        int extLen = 0;
        for (byte[] e : ext) {
            extLen += e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(Ipv6.HEADER + extLen + upperLen);
        Ipv6.emit(b, 0, 0, 0x12345, extLen + upperLen, firstNext, 64, SRC, DST);
        int p = Ipv6.HEADER;
        for (byte[] e : ext) {
            b.put(p, e);
            p += e.length;
        }
        return b;
    }

    static byte[] ext(int next, int len8, int... body) {
        byte[] e = new byte[len8 * 8];
        e[0] = (byte) next;
        e[1] = (byte) (len8 - 1);
        for (int i = 0; i < body.length; i++) {
            e[2 + i] = (byte) body[i];
        }
        return e;
    }

    static byte[] fragment(int next, int offset, boolean more, int id) {
        byte[] e = new byte[8];
        e[0] = (byte) next;
        ByteBuffer.wrap(e).putShort(2, (short) (offset | (more ? 1 : 0))).putInt(4, id);
        return e;
    }

    @Test
    void plainDatagramAndItsFields() {
        ByteBuffer b = datagram(Ipv6.UDP, 8);
        Ipv6 h = new Ipv6();
        assertThat(h.wrap(b, 0, b.capacity())).isEqualTo(Ipv6.Check.OK);
        assertThat(h.upperProtocol()).isEqualTo(Ipv6.UDP);
        assertThat(h.upperOffset()).isEqualTo(40);
        assertThat(h.flowLabel()).isEqualTo(0x12345);
        assertThat(h.hopLimit()).isEqualTo(64);
        assertThat(h.source(new byte[16])).isEqualTo(SRC);
        assertThat(h.destination(new byte[16])).isEqualTo(DST);
        assertThat(h.wrap(b, 0, 47)).isEqualTo(Ipv6.Check.BAD_PAYLOAD_LENGTH);
        b.put(0, (byte) 0x45);
        assertThat(h.wrap(b, 0, b.capacity())).isEqualTo(Ipv6.Check.BAD_VERSION);
    }

    @Test
    void extensionHeadersAreWalked() {
        // hop-by-hop with PadN, destination options with Pad1s, then TCP
        ByteBuffer b = datagram(Ipv6.HOP_BY_HOP, 20, ext(Ipv6.DESTINATION_OPTIONS, 1, 1, 4, 0, 0, 0, 0),
                ext(Ipv6.TCP, 1, 0, 0, 0, 0, 0, 0));
        Ipv6 h = new Ipv6();
        assertThat(h.wrap(b, 0, b.capacity())).isEqualTo(Ipv6.Check.OK);
        assertThat(h.upperProtocol()).isEqualTo(Ipv6.TCP);
        assertThat(h.upperOffset()).isEqualTo(56);
    }

    @Test
    void hopByHopLaterThanFirstAndRoutingType0AreRefusedWithAPointer() {
        Ipv6 h = new Ipv6();
        ByteBuffer late = datagram(Ipv6.DESTINATION_OPTIONS, 8, ext(Ipv6.HOP_BY_HOP, 1), ext(Ipv6.UDP, 1));
        assertThat(h.wrap(late, 0, late.capacity())).isEqualTo(Ipv6.Check.HOP_BY_HOP_NOT_FIRST);
        assertThat(h.errorPointer()).isEqualTo(40);

        ByteBuffer rh0 = datagram(Ipv6.ROUTING, 8, ext(Ipv6.UDP, 3, 0, 1)); // type 0, one segment left
        assertThat(h.wrap(rh0, 0, rh0.capacity())).isEqualTo(Ipv6.Check.ROUTING_HEADER);
        assertThat(h.errorPointer()).isEqualTo(42);
        ByteBuffer done = datagram(Ipv6.ROUTING, 8, ext(Ipv6.UDP, 3, 0, 0)); // no segment left: skipped
        assertThat(h.wrap(done, 0, done.capacity())).isEqualTo(Ipv6.Check.OK);
    }

    @Test
    void unknownOptionsFollowTheirActionBits() {
        Ipv6 h = new Ipv6();
        ByteBuffer skip = datagram(Ipv6.DESTINATION_OPTIONS, 8, ext(Ipv6.UDP, 1, 0x1e, 2, 0, 0));
        assertThat(h.wrap(skip, 0, skip.capacity())).isEqualTo(Ipv6.Check.OK);
        ByteBuffer discard = datagram(Ipv6.DESTINATION_OPTIONS, 8, ext(Ipv6.UDP, 1, 0x5e, 2, 0, 0));
        assertThat(h.wrap(discard, 0, discard.capacity())).isEqualTo(Ipv6.Check.UNKNOWN_OPTION_DISCARD);
        ByteBuffer report = datagram(Ipv6.DESTINATION_OPTIONS, 8, ext(Ipv6.UDP, 1, 0x9e, 2, 0, 0));
        assertThat(h.wrap(report, 0, report.capacity())).isEqualTo(Ipv6.Check.UNKNOWN_OPTION_REPORT);
        assertThat(h.errorPointer()).isEqualTo(42);
        ByteBuffer overrun = datagram(Ipv6.DESTINATION_OPTIONS, 8, ext(Ipv6.UDP, 1, 1, 9));
        assertThat(h.wrap(overrun, 0, overrun.capacity())).isEqualTo(Ipv6.Check.BAD_OPTION);
    }

    @Test
    void fragmentsAtomicFragmentsAndIncompleteChains() {
        Ipv6 h = new Ipv6();
        ByteBuffer atomic = datagram(Ipv6.FRAGMENT, 8, fragment(Ipv6.UDP, 0, false, 7));
        assertThat(h.wrap(atomic, 0, atomic.capacity())).isEqualTo(Ipv6.Check.OK);
        assertThat(h.isAtomicFragment()).isTrue();
        assertThat(h.upperProtocol()).isEqualTo(Ipv6.UDP);

        ByteBuffer later = datagram(Ipv6.FRAGMENT, 16, fragment(Ipv6.UDP, 1448, true, 7));
        assertThat(h.wrap(later, 0, later.capacity())).isEqualTo(Ipv6.Check.OK);
        assertThat(h.isAtomicFragment()).isFalse();
        assertThat(h.fragmentOffset()).isEqualTo(1448);
        assertThat(h.fragmentId()).isEqualTo(7);

        ByteBuffer first = datagram(Ipv6.FRAGMENT, 8, fragment(Ipv6.TCP, 0, true, 9)); // TCP header not all there
        assertThat(h.wrap(first, 0, first.capacity())).isEqualTo(Ipv6.Check.INCOMPLETE_HEADER_CHAIN);
    }

    @Test
    void longChainsAreRefused() {
        byte[][] chain = new byte[Ipv6.MAX_EXTENSION_HEADERS + 1][];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = ext(i == chain.length - 1 ? Ipv6.UDP : Ipv6.DESTINATION_OPTIONS, 1);
        }
        ByteBuffer b = datagram(Ipv6.DESTINATION_OPTIONS, 8, chain);
        assertThat(new Ipv6().wrap(b, 0, b.capacity())).isEqualTo(Ipv6.Check.TOO_MANY_HEADERS);
    }

    @Test
    void pseudoHeaderMatchesTheRfcSum() {
        ByteBuffer b = datagram(Ipv6.UDP, 8);
        long acc = Ipv6.pseudoHeader(b, 0, 8, Ipv6.UDP);
        long want = Checksum.add(ByteBuffer.wrap(SRC), 0, 16, 0);
        want = Checksum.add(ByteBuffer.wrap(DST), 0, 16, want) + 8 + Ipv6.UDP;
        assertThat(Checksum.fold(acc)).isEqualTo(Checksum.fold(want));
    }

    /** Random bytes behind a valid fixed header: never an exception, always a verdict. */
    @Test
    void randomChainsNeverThrow() {
        Random rnd = new Random(8200);
        Ipv6 h = new Ipv6();
        int[] nexts = {Ipv6.HOP_BY_HOP, Ipv6.ROUTING, Ipv6.FRAGMENT, Ipv6.DESTINATION_OPTIONS, Ipv6.UDP, Ipv6.TCP};
        for (int i = 0; i < 50_000; i++) {
            int payload = rnd.nextInt(200);
            ByteBuffer b = ByteBuffer.allocate(Ipv6.HEADER + payload);
            Ipv6.emit(b, 0, 0, 0, payload, nexts[rnd.nextInt(nexts.length)], 64, SRC, DST);
            for (int p = Ipv6.HEADER; p < b.capacity(); p++) {
                b.put(p, (byte) (rnd.nextInt(4) == 0 ? nexts[rnd.nextInt(nexts.length)] : rnd.nextInt(6)));
            }
            assertThat(h.wrap(b, 0, rnd.nextInt(b.capacity() + 1))).isNotNull();
        }
    }
}
