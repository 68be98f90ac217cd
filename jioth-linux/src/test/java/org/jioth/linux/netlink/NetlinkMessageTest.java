package org.jioth.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoding replies written out by hand (little-endian hosts). */
class NetlinkMessageTest {

    @BeforeAll
    static void littleEndianHost() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden vectors are little-endian");
    }

    private static List<NetlinkMessage> parse(String hex) {
        return NetlinkMessage.parseAll(ByteBuffer.wrap(Hex.bytes(hex)));
    }

    @Test
    void ackIsErrorZeroWithTheRequestHeader() {
        List<NetlinkMessage> msgs = parse("""
                24 00 00 00  02 00 00 01  09 00 00 00  e8 03 00 00
                00 00 00 00
                20 00 00 00  13 00 05 00  09 00 00 00  00 00 00 00""");
        assertThat(msgs).hasSize(1);
        NetlinkMessage ack = msgs.getFirst();
        assertThat(ack.isError()).isTrue();
        assertThat(ack.seq()).isEqualTo(9);
        assertThat(ack.pid()).isEqualTo(1000);
        assertThat(ack.flags()).isEqualTo(0x100);
        assertThat(ack.errorCode()).isZero();
    }

    @Test
    void errorCarriesNegativeErrno() {
        NetlinkMessage err = parse("""
                24 00 00 00  02 00 00 00  03 00 00 00  00 00 00 00
                ef ff ff ff
                28 00 00 00  14 00 05 06  03 00 00 00  00 00 00 00""").getFirst();
        assertThat(err.errorCode()).isEqualTo(-17);
    }

    @Test
    void newlinkThenDoneInOneDatagramWithAttributes() {
        // RTM_NEWLINK (multi) for lo: ifinfomsg type 772, index 1, flags 0x49; IFNAME "lo", MTU 65536,
        // ADDRESS 6 zero bytes; then NLMSG_DONE with int 0.
        List<NetlinkMessage> msgs = parse("""
                3c 00 00 00  10 00 02 00  01 00 00 00  00 00 00 00
                00 00 04 03  01 00 00 00  49 00 00 00  00 00 00 00
                07 00 03 00  6c 6f 00 00
                08 00 04 00  00 00 01 00
                0a 00 01 00  00 00 00 00  00 00 00 00
                14 00 00 00  03 00 02 00  01 00 00 00  00 00 00 00
                00 00 00 00""");
        assertThat(msgs).hasSize(2);
        NetlinkMessage link = msgs.get(0);
        assertThat(link.type()).isEqualTo(Rtnl.RTM_NEWLINK);
        assertThat(link.flags() & Rtnl.NLM_F_MULTI).isNotZero();
        IfInfoMsg ifi = IfInfoMsg.read(link.payload());
        assertThat(ifi).isEqualTo(new IfInfoMsg(0, 772, 1, 0x49, 0));
        NetlinkAttributes attrs = link.attributes(Rtnl.IFINFOMSG_SIZE);
        assertThat(attrs.string(Rtnl.IFLA_IFNAME)).isEqualTo("lo");
        assertThat(attrs.u32(Rtnl.IFLA_MTU)).hasValue(65536);
        assertThat(attrs.bytes(Rtnl.IFLA_ADDRESS)).hasSize(6).containsOnly(0);
        assertThat(attrs.has(Rtnl.IFLA_BROADCAST)).isFalse();
        assertThat(msgs.get(1).isDone()).isTrue();
        assertThat(msgs.get(1).errorCode()).isZero();
    }

    @Test
    void nestedAttributesAndFirstOccurrenceWins() {
        // payload: ADDRESS 1.2.3.4, ADDRESS 5.6.7.8, LINKINFO(nested flag 0x8000){KIND "vde"}
        ByteBuffer region = ByteBuffer.wrap(Hex.bytes("""
                08 00 01 00  01 02 03 04
                08 00 01 00  05 06 07 08
                0c 00 12 80  08 00 01 00  76 64 65 00"""));
        NetlinkAttributes attrs = NetlinkAttributes.parse(region);
        assertThat(attrs.all()).hasSize(3);
        assertThat(attrs.inetAddress(1)).isEqualTo(InetAddress.ofLiteral("1.2.3.4"));
        assertThat(attrs.nested(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND)).isEqualTo("vde");
    }

    @Test
    void rtmsgAndIfaddrmsgDecode() {
        assertThat(RtMsg.read(ByteBuffer.wrap(Hex.bytes("0a 30 00 00 fe 03 00 01 00 00 00 00"))
                .order(ByteOrder.nativeOrder())))
                .isEqualTo(new RtMsg(10, 48, 0, 0, 254, 3, 0, 1, 0));
        assertThat(IfAddrMsg.read(ByteBuffer.wrap(Hex.bytes("02 18 80 fe 02 00 00 00"))
                .order(ByteOrder.nativeOrder())))
                .isEqualTo(new IfAddrMsg(2, 24, 0x80, 254, 2));
    }

    @Test
    void messageLongerThanDatagramIsMalformed() {
        assertThatThrownBy(() -> parse("40 00 00 00  02 00 00 00  01 00 00 00  00 00 00 00  00 00 00 00"))
                .isInstanceOf(MalformedNetlinkException.class).hasMessageContaining("length 64");
    }

    @Test
    void messageShorterThanHeaderIsMalformed() {
        assertThatThrownBy(() -> parse("08 00 00 00  02 00 00 00  01 00 00 00  00 00 00 00"))
                .isInstanceOf(MalformedNetlinkException.class);
    }

    @Test
    void trailingBytesAreMalformed() {
        assertThatThrownBy(() -> parse("10 00 00 00  03 00 00 00  01 00 00 00  00 00 00 00  00 00"))
                .isInstanceOf(MalformedNetlinkException.class).hasMessageContaining("trailing");
    }

    @Test
    void attributeOverrunningItsRegionIsMalformed() {
        assertThatThrownBy(() -> NetlinkAttributes.parse(ByteBuffer.wrap(Hex.bytes("10 00 01 00 01 02 03 04"))))
                .isInstanceOf(MalformedNetlinkException.class);
        assertThatThrownBy(() -> NetlinkAttributes.parse(ByteBuffer.wrap(Hex.bytes("02 00 01 00"))))
                .isInstanceOf(MalformedNetlinkException.class);
    }

    @Test
    void u32OfWrongSizeIsMalformed() {
        NetlinkAttributes attrs = NetlinkAttributes.parse(ByteBuffer.wrap(Hex.bytes("06 00 04 00 01 02 00 00")));
        assertThatThrownBy(() -> attrs.u32(Rtnl.IFLA_MTU)).isInstanceOf(MalformedNetlinkException.class);
    }
}
