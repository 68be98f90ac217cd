package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Golden vectors (computed by hand with an independent script) for every codec. */
class CodecTest {
    static final int A = 0xc0a8fa01; // 192.168.250.1
    static final int B = 0xc0a8fa02; // 192.168.250.2
    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;

    @Test
    void ethernetEmitAndParse() {
        ByteBuffer b = ByteBuffer.allocate(64);
        Ethernet.emit(b, 0, Mac.BROADCAST, MAC_A, Ethernet.TYPE_ARP);
        assertThat(Hex.hex(b, 0, 14)).isEqualTo("ffffffffffff0200000000010806");
        Ethernet e = new Ethernet();
        assertThat(e.wrap(b, 0, 60)).isTrue();
        assertThat(e.destination()).isEqualTo(Mac.BROADCAST);
        assertThat(e.source()).isEqualTo(MAC_A);
        assertThat(e.etherType()).isEqualTo(Ethernet.TYPE_ARP);
        assertThat(e.payloadOffset()).isEqualTo(14);
        assertThat(e.payloadLength()).isEqualTo(46);
    }

    @Test
    void ethernetSkipsOneVlanTagAndRejectsShortFrames() {
        ByteBuffer b = Hex.buf("020000000002 020000000001 8100 0005 0800 45");
        Ethernet e = new Ethernet();
        assertThat(e.wrap(b, 0, b.capacity())).isTrue();
        assertThat(e.etherType()).isEqualTo(Ethernet.TYPE_IPV4);
        assertThat(e.payloadOffset()).isEqualTo(18);
        assertThat(e.wrap(b, 0, 13)).isFalse();
        assertThat(e.wrap(b, 0, 16)).isFalse(); // tag announced, not there
    }

    @Test
    void arpRequestGolden() {
        ByteBuffer b = ByteBuffer.allocate(28);
        Arp.emit(b, 0, Arp.REQUEST, MAC_A, A, 0, B);
        assertThat(Hex.hex(b, 0, 28)).isEqualTo(
                "0001" + "0800" + "06" + "04" + "0001" + "020000000001" + "c0a8fa01" + "000000000000" + "c0a8fa02");
        Arp a = new Arp();
        assertThat(a.wrap(b, 0, 28)).isTrue();
        assertThat(a.operation()).isEqualTo(Arp.REQUEST);
        assertThat(a.senderMac()).isEqualTo(MAC_A);
        assertThat(a.senderIp()).isEqualTo(A);
        assertThat(a.targetIp()).isEqualTo(B);
        assertThat(a.wrap(b, 0, 27)).isFalse();
        b.put(5, (byte) 16); // IPv6-sized protocol addresses: not ours
        assertThat(a.wrap(b, 0, 28)).isFalse();
        b.put(5, (byte) 4);
        b.putShort(6, (short) 3);
        assertThat(a.wrap(b, 0, 28)).isFalse();
    }

    @Test
    void ipv4Golden() {
        ByteBuffer b = ByteBuffer.allocate(31);
        Ipv4.emit(b, 0, 0, 31, 0x0102, Ipv4.FLAG_DF, 64, Ipv4.PROTO_UDP, A, B);
        assertThat(Hex.hex(b, 0, 20)).isEqualTo("4500001f010240004011c476c0a8fa01c0a8fa02");
        Ipv4 ip = new Ipv4();
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.OK);
        assertThat(ip.source()).isEqualTo(A);
        assertThat(ip.destination()).isEqualTo(B);
        assertThat(ip.protocol()).isEqualTo(17);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.payloadLength()).isEqualTo(11);
        ip.decrementTtl();
        assertThat(ip.ttl()).isEqualTo(63);
        assertThat(ip.checksum()).isEqualTo(0xc576);
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.OK);
    }

    @Test
    void ipv4Validation() {
        ByteBuffer b = Hex.buf("4500001f010240004011c476c0a8fa01c0a8fa02 13880007000bed89686921");
        Ipv4 ip = new Ipv4();
        assertThat(ip.wrap(b, 0, 19)).isEqualTo(Ipv4.Check.TRUNCATED);
        assertThat(ip.wrap(b, 0, 30)).isEqualTo(Ipv4.Check.BAD_TOTAL_LENGTH);
        assertThat(ip.wrap(b, 0, 60)).isEqualTo(Ipv4.Check.OK); // padding after the datagram is fine
        b.put(0, (byte) 0x65);
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.BAD_VERSION);
        b.put(0, (byte) 0x44);
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.BAD_HEADER_LENGTH);
        b.put(0, (byte) 0x4f); // 60-byte header in a 31-byte datagram
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.BAD_HEADER_LENGTH);
        b.put(0, (byte) 0x45);
        b.put(8, (byte) 0x41);
        assertThat(ip.wrap(b, 0, 31)).isEqualTo(Ipv4.Check.BAD_CHECKSUM);
    }

    @Test
    void ipv4FragmentFields() {
        ByteBuffer b = ByteBuffer.allocate(20);
        Ipv4.emit(b, 0, 0, 20, 7, Ipv4.FLAG_MF | 185, 64, 17, A, B);
        Ipv4 ip = new Ipv4();
        assertThat(ip.wrap(b, 0, 20)).isEqualTo(Ipv4.Check.OK);
        assertThat(ip.moreFragments()).isTrue();
        assertThat(ip.fragmentOffset()).isEqualTo(1480);
        assertThat(ip.isFragment()).isTrue();
    }

    @Test
    void udpGolden() {
        ByteBuffer b = ByteBuffer.allocate(11);
        b.put(8, "hi!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Udp.emit(b, 0, 5000, 7, 11, A, B);
        assertThat(Hex.hex(b, 0, 11)).isEqualTo("13880007000bed89686921");
        Udp u = new Udp();
        assertThat(u.wrap(b, 0, 11, A, B)).isEqualTo(Udp.Check.OK);
        assertThat(u.sourcePort()).isEqualTo(5000);
        assertThat(u.destinationPort()).isEqualTo(7);
        assertThat(u.payloadLength()).isEqualTo(3);
        assertThat(u.wrap(b, 0, 11, A, A)).isEqualTo(Udp.Check.BAD_CHECKSUM); // other pseudo-header
        assertThat(u.wrap(b, 0, 10, A, B)).isEqualTo(Udp.Check.BAD_LENGTH);
        assertThat(u.wrap(b, 0, 7, A, B)).isEqualTo(Udp.Check.TRUNCATED);
        b.putShort(6, (short) 0); // no checksum: accepted as is
        assertThat(u.wrap(b, 0, 11, A, A)).isEqualTo(Udp.Check.OK);
    }

    @Test
    void icmpEchoGolden() {
        ByteBuffer b = ByteBuffer.allocate(12);
        Icmp4.emit(b, 0, Icmp4.ECHO_REQUEST, 0, 0x1234_0001);
        b.put(8, "abcd".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Icmp4.finish(b, 0, 12);
        assertThat(Hex.hex(b, 0, 12)).isEqualTo("080021041234000161626364");
        Icmp4 m = new Icmp4();
        assertThat(m.wrap(b, 0, 12)).isEqualTo(Icmp4.Check.OK);
        assertThat(m.identifier()).isEqualTo(0x1234);
        assertThat(m.sequence()).isEqualTo(1);
        assertThat(m.wrap(b, 0, 11)).isEqualTo(Icmp4.Check.BAD_CHECKSUM);
        assertThat(m.wrap(b, 0, 7)).isEqualTo(Icmp4.Check.TRUNCATED);
    }

    @Test
    void macAndAddressConversions() {
        assertThat(Mac.toString(MAC_A)).isEqualTo("02:00:00:00:00:01");
        assertThat(Mac.of(org.jioth.MacAddress.parse("02:00:00:00:00:02"))).isEqualTo(MAC_B);
        assertThat(Mac.isMulticast(Mac.BROADCAST)).isTrue();
        assertThat(Mac.isMulticast(MAC_A)).isFalse();
        assertThat(Ip4.toString(A)).isEqualTo("192.168.250.1");
        assertThat(Ip4.parse("192.168.250.2")).isEqualTo(B);
        assertThat(Ip4.mask(24)).isEqualTo(0xffffff00);
        assertThat(Ip4.mask(0)).isZero();
        assertThat(Ip4.mask(32)).isEqualTo(-1);
    }
}
