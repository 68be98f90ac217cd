package org.jioth.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.junit.jupiter.api.Test;

/** getifaddrs assembly from crafted dump parts (built with the builder, parsed back). */
class IfAddrsAssemblerTest {
    private static final int LO = 1;
    private static final int ETH = 2;
    private static final int PPP = 3;
    private static final int TUN = 4;

    private static NetlinkMessage parsed(NetlinkMessageBuilder b) {
        return NetlinkMessage.parseAll(ByteBuffer.wrap(b.toByteArray())).getFirst();
    }

    private static NetlinkMessage link(int index, int flags, String name, byte[] hw, int mtu) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI, 1)
                .ifinfomsg(0, 1, index, flags, 0).attrString(Rtnl.IFLA_IFNAME, name).attrU32(Rtnl.IFLA_MTU, mtu);
        if (hw != null) {
            b.attr(Rtnl.IFLA_ADDRESS, hw);
        }
        return parsed(b);
    }

    private static NetlinkMessage addr(int family, int prefix, int index, String address, String local, String brd) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_MULTI, 2)
                .ifaddrmsg(family, prefix, 0, 0, index);
        if (address != null) {
            b.attr(Rtnl.IFA_ADDRESS, InetAddress.ofLiteral(address).getAddress());
        }
        if (local != null) {
            b.attr(Rtnl.IFA_LOCAL, InetAddress.ofLiteral(local).getAddress());
        }
        if (brd != null) {
            b.attr(Rtnl.IFA_BROADCAST, InetAddress.ofLiteral(brd).getAddress());
        }
        return parsed(b);
    }

    @Test
    void linksFirstThenAddressesWithGetifaddrsRules() {
        byte[] mac = {2, 0x11, 0x22, 0x33, 0x44, 0x55};
        List<NetlinkMessage> links = List.of(
                link(LO, IfAddr.IFF_UP | IfAddr.IFF_LOOPBACK, "lo", new byte[6], 65536),
                link(ETH, IfAddr.IFF_UP | IfAddr.IFF_BROADCAST, "eth0", mac, 1500),
                link(PPP, IfAddr.IFF_UP | IfAddr.IFF_POINTOPOINT, "ppp0", new byte[6], 1400),
                link(TUN, IfAddr.IFF_UP, "tun0", null, 1500));
        List<NetlinkMessage> addrs = List.of(
                addr(Rtnl.AF_INET, 8, LO, "127.0.0.2", "127.0.0.1", null),
                addr(Rtnl.AF_INET, 24, ETH, "192.168.250.5", "192.168.250.5", "192.168.250.255"),
                addr(Rtnl.AF_INET, 32, PPP, "10.0.0.2", "10.0.0.1", null),
                addr(Rtnl.AF_INET6, 64, ETH, "fe80::11", null, null),
                addr(Rtnl.AF_INET6, 64, ETH, "fd00::5", null, null),
                addr(Rtnl.AF_INET, 24, TUN, "10.1.1.1", "10.1.1.1", null),
                addr(Rtnl.AF_INET, 24, 99, "10.2.2.2", "10.2.2.2", null));

        List<IfAddr> out = IfAddrsAssembler.assemble(links, addrs);

        assertThat(out).extracting(IfAddr::toString).containsExactly(
                "1: lo <UP> mtu 65536 link 00:00:00:00:00:00",
                "2: eth0 <UP> mtu 1500 link 02:11:22:33:44:55",
                "3: ppp0 <UP> mtu 1400 link 00:00:00:00:00:00",
                "1: lo 127.0.0.1/8",
                "2: eth0 192.168.250.5/24",
                "3: ppp0 10.0.0.1/32",
                "2: eth0 fe80:0:0:0:0:0:0:11%2/64",
                "2: eth0 fd00:0:0:0:0:0:0:5/64");
        assertThat(out.get(1).mac()).isEqualTo(MacAddress.of(mac));
        assertThat(out.get(4).broadcast()).isEqualTo(InetAddress.ofLiteral("192.168.250.255"));
        assertThat(out.get(4).flags()).isEqualTo(IfAddr.IFF_UP | IfAddr.IFF_BROADCAST);
        assertThat(out.get(4).mtu()).isEqualTo(1500);
        assertThat(out.get(5).broadcast()).isNull();
        assertThat(((Inet6Address) out.get(6).address()).getScopeId()).isEqualTo(ETH);
        assertThat(((Inet6Address) out.get(7).address()).getScopeId()).isZero();
    }

    @Test
    void otherMessageTypesAndFamiliesAreIgnored() {
        List<NetlinkMessage> links = List.of(link(LO, IfAddr.IFF_LOOPBACK, "lo", new byte[6], 65536),
                parsed(new NetlinkMessageBuilder(Rtnl.NLMSG_NOOP, 0, 1)));
        List<NetlinkMessage> addrs = List.of(addr(Rtnl.AF_PACKET, 0, LO, "127.0.0.1", null, null));
        assertThat(IfAddrsAssembler.assemble(links, addrs)).hasSize(1);
    }
}
