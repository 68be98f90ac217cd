package org.jioth.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.jioth.NetConfig.LinkData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden byte vectors of nlinline's requests, computed by hand from the layouts in libioth-api.md §3
 * (host order; written out for little-endian hosts).
 */
class RtnlRequestsTest {

    @BeforeAll
    static void littleEndianHost() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden vectors are little-endian");
    }

    private static void assertBytes(byte[] actual, String golden) {
        assertThat(Hex.of(actual)).isEqualTo(Hex.of(Hex.bytes(golden)));
    }

    @Test
    void ifNameToIndexIsGetlinkWithAckAndName() {
        assertBytes(RtnlRequests.getLinkByName(1, "lo"), """
                28 00 00 00  12 00 05 00  01 00 00 00  00 00 00 00
                00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00
                07 00 03 00  6c 6f 00 00""");
    }

    @Test
    void longNamesAreCutToFifteenBytesPlusNul() {
        byte[] msg = RtnlRequests.getLinkByName(1, "abcdefghijklmnopq");
        assertThat(msg.length).isEqualTo(16 + 16 + 20);
        assertBytes(java.util.Arrays.copyOfRange(msg, 32, 52), """
                14 00 03 00  61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 00""");
    }

    @Test
    void linkUpSetsFlagAndChangeMask() {
        assertBytes(RtnlRequests.setLinkUpDown(2, 3, true), """
                20 00 00 00  13 00 05 00  02 00 00 00  00 00 00 00
                00 00 00 00  03 00 00 00  01 00 00 00  01 00 00 00""");
        assertBytes(RtnlRequests.setLinkUpDown(2, 3, false), """
                20 00 00 00  13 00 05 00  02 00 00 00  00 00 00 00
                00 00 00 00  03 00 00 00  00 00 00 00  01 00 00 00""");
    }

    @Test
    void setAddrAndMtuAreNewlinkWithOneAttribute() {
        assertBytes(RtnlRequests.setLinkAddr(4, 2, Hex.bytes("02 11 22 33 44 55")), """
                2c 00 00 00  10 00 05 00  04 00 00 00  00 00 00 00
                00 00 00 00  02 00 00 00  00 00 00 00  00 00 00 00
                0a 00 01 00  02 11 22 33  44 55 00 00""");
        assertBytes(RtnlRequests.setLinkMtu(7, 2, 1400), """
                28 00 00 00  10 00 05 00  07 00 00 00  00 00 00 00
                00 00 00 00  02 00 00 00  00 00 00 00  00 00 00 00
                08 00 04 00  78 05 00 00""");
    }

    @Test
    void getLinkAsksWithoutAck() {
        assertBytes(RtnlRequests.getLink(5, 2), """
                20 00 00 00  12 00 01 00  05 00 00 00  00 00 00 00
                00 00 00 00  02 00 00 00  00 00 00 00  00 00 00 00""");
    }

    @Test
    void addressAddHasLocalThenAddress() {
        byte[] a = InetAddress.ofLiteral("10.0.0.1").getAddress();
        assertBytes(RtnlRequests.ipAddr(3, true, Rtnl.AF_INET, a, 24, 0, 0, 2), """
                28 00 00 00  14 00 05 06  03 00 00 00  00 00 00 00
                02 18 00 00  02 00 00 00
                08 00 02 00  0a 00 00 01
                08 00 01 00  0a 00 00 01""");
        assertBytes(RtnlRequests.ipAddr(3, false, Rtnl.AF_INET, a, 24, 0, 0, 2), """
                28 00 00 00  15 00 05 00  03 00 00 00  00 00 00 00
                02 18 00 00  02 00 00 00
                08 00 02 00  0a 00 00 01
                08 00 01 00  0a 00 00 01""");
    }

    @Test
    void defaultRouteWithoutInterfaceCarriesTheTypeZeroAttribute() {
        byte[] gw = InetAddress.ofLiteral("10.0.0.254").getAddress();
        assertBytes(RtnlRequests.ipRoute(4, true, Rtnl.AF_INET, null, 0, gw, 0, Rtnl.RTN_UNICAST, 0), """
                2c 00 00 00  18 00 05 06  04 00 00 00  00 00 00 00
                02 00 00 00  fe 03 00 01  00 00 00 00
                08 00 00 00  00 00 00 00
                08 00 05 00  0a 00 00 fe""");
    }

    @Test
    void ipv6RouteDelWithInterfaceDestinationAndGateway() {
        byte[] dst = InetAddress.ofLiteral("fd00:98::").getAddress();
        byte[] gw = InetAddress.ofLiteral("fd00:99::fe").getAddress();
        assertBytes(RtnlRequests.ipRoute(5, false, Rtnl.AF_INET6, dst, 48, gw, 2, Rtnl.RTN_UNICAST, 0), """
                4c 00 00 00  19 00 05 00  05 00 00 00  00 00 00 00
                0a 30 00 00  fe 03 00 01  00 00 00 00
                08 00 04 00  02 00 00 00
                14 00 01 00  fd 00 00 98  00 00 00 00  00 00 00 00  00 00 00 00
                14 00 05 00  fd 00 00 99  00 00 00 00  00 00 00 00  00 00 00 fe""");
    }

    @Test
    void linkAddNestsKindAndData() {
        byte[] msg = RtnlRequests.newLink(6, "vde0", -1, "vde",
                List.of(LinkData.ofString(LinkData.IFLA_VDE_VNL, "vde:///tmp/sw")), false);
        assertBytes(msg, """
                50 00 00 00  10 00 05 06  06 00 00 00  00 00 00 00
                00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00
                09 00 03 00  76 64 65 30  00 00 00 00
                24 00 12 00
                  08 00 01 00  76 64 65 00
                  18 00 02 00
                    12 00 01 00  76 64 65 3a 2f 2f 2f 74 6d 70 2f 73 77 00  00 00""");
    }

    @Test
    void linkAddAsNlinlineWithEmptyNewIfindexAndNoData() {
        assertBytes(RtnlRequests.newLink(1, "d0", -1, "dummy", List.of(), true), """
                3c 00 00 00  10 00 05 06  01 00 00 00  00 00 00 00
                00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00
                07 00 03 00  64 30 00 00
                04 00 31 00
                10 00 12 00
                  0a 00 01 00  64 75 6d 6d 79 00 00 00""");
    }

    @Test
    void linkDelByIndex() {
        assertBytes(RtnlRequests.delLink(8, null, 5), """
                20 00 00 00  11 00 05 00  08 00 00 00  00 00 00 00
                00 00 00 00  05 00 00 00  00 00 00 00  00 00 00 00""");
    }

    @Test
    void dumpsAreThirtyTwoAndTwentyFourBytes() {
        assertBytes(RtnlRequests.dumpLinks(1), """
                20 00 00 00  12 00 01 03  01 00 00 00  00 00 00 00
                00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00""");
        assertBytes(RtnlRequests.dumpAddrs(2), """
                18 00 00 00  16 00 01 03  02 00 00 00  00 00 00 00
                00 00 00 00  00 00 00 00""");
    }

    @Test
    void oversizedAttributeIsRefused() {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(Rtnl.RTM_NEWLINK, 1, 1);
        assertThatThrownBy(() -> b.attr(1, new byte[70000])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }
}
