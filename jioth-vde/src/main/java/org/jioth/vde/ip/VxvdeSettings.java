package org.jioth.vde.ip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jioth.vde.portsupport.OptionReader;

/**
 * The settings of {@code vxvde://[mcastaddr][/option...]}, a distributed switch over IP multicast.
 *
 * @param group         multicast group (default 239.0.0.1, or ff05:56de::1 with {@code v6})
 * @param port          UDP port of the group (option {@code port}, default 14789)
 * @param vni           24-bit network id (option {@code vni}, default 1; a group name or an empty value = egid)
 * @param ttl           multicast TTL / hop limit (option {@code ttl}, default 1)
 * @param receiveBuffer SO_RCVBUF of the unicast socket in bytes, 0 = kernel default (option {@code rcvbuf})
 * @param v4            option {@code v4}: restrict to IPv4
 * @param v6            option {@code v6}: restrict to IPv6
 * @param hashSize      MAC table size (option {@code hashsize}, default 1024)
 * @param expireTime    MAC entry validity (option {@code expiretime} in seconds, default 128)
 * @param interfaceName interface for joining and sending multicast, or null (option {@code if})
 * @param bindAddress   local address of the unicast socket, or null for the wildcard (option {@code bind})
 */
public record VxvdeSettings(InetAddress group, int port, int vni, int ttl, long receiveBuffer, boolean v4,
        boolean v6, int hashSize, Duration expireTime, String interfaceName, InetAddress bindAddress) {
    /** The option names, in the reference's table order (prefix matching picks the first). */
    public static final List<String> OPTIONS =
            List.of("port", "vni", "grp", "ttl", "rcvbuf", "v6", "v4", "hashsize", "expiretime", "if", "bind");
    public static final int DEFAULT_PORT = 14789;
    public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(128);

    public VxvdeSettings {
        TunnelSettingsCheck.check("vxvde", group, port, vni, ttl, receiveBuffer, hashSize, expireTime);
        if (bindAddress != null && (bindAddress instanceof Inet6Address) != (group instanceof Inet6Address)) {
            throw new IllegalArgumentException("vxvde: bind address " + bindAddress.getHostAddress()
                    + " is not of the group's family (" + group.getHostAddress() + ")");
        }
    }

    /** Defaults for {@code group} (port 14789, vni 1, ttl 1, hash 1024, expiry 128 s). */
    public static VxvdeSettings of(InetAddress group) {
        return new VxvdeSettings(group, DEFAULT_PORT, 1, 1, 0, false, false, 1024, DEFAULT_EXPIRE, null, null);
    }

    public VxvdeSettings withPort(int newPort) {
        return new VxvdeSettings(group, newPort, vni, ttl, receiveBuffer, v4, v6, hashSize, expireTime, interfaceName, bindAddress);
    }

    public VxvdeSettings withVni(int newVni) {
        return new VxvdeSettings(group, port, newVni, ttl, receiveBuffer, v4, v6, hashSize, expireTime, interfaceName, bindAddress);
    }

    public VxvdeSettings withInterface(String name) {
        return new VxvdeSettings(group, port, vni, ttl, receiveBuffer, v4, v6, hashSize, expireTime, name, bindAddress);
    }

    /** Converts option strings keyed by full option name ({@link #OPTIONS}); a bare flag has value "". */
    public static VxvdeSettings fromOptions(String mainArgument, Map<String, String> options) {
        OptionReader r = new OptionReader("vxvde", options, OPTIONS);
        boolean v4 = r.flag("v4");
        boolean v6 = r.flag("v6");
        int port = (int) r.integer("port", DEFAULT_PORT, 1, 65535);
        long gid = -1;
        if (r.has("grp")) {
            gid = GroupIds.resolve(r.string("grp", ""));
            if (gid < 0 || gid > VxHeader.MAX_VNI) {
                throw r.bad("grp", r.string("grp", ""), "a group name or number (0.." + VxHeader.MAX_VNI + ")");
            }
        }
        int vni;
        if (r.has("vni")) {
            vni = parseVni(r, r.string("vni", ""));
        } else {
            vni = gid >= 0 ? (int) gid : 1;
        }
        InetAddress group = GroupAddresses.group(r, mainArgument, v4, v6);
        if (gid >= 0) {
            group = GroupAddresses.withGid(group, gid);
        }
        int ttl = (int) r.integer("ttl", 1, 0, 255);
        long rcvbuf = r.size("rcvbuf", 0, Integer.MAX_VALUE);
        int hashSize = (int) r.integer("hashsize", 1024, 1, 1 << 24);
        long expire = r.integer("expiretime", 128, Long.MIN_VALUE, 1L << 40);
        String ifName = r.has("if") ? r.string("if", "") : null;
        if (ifName != null && ifName.isBlank()) {
            throw r.bad("if", ifName, "an interface name such as lo or eth0");
        }
        InetAddress bind = r.has("bind") ? GroupAddresses.resolve(r, r.string("bind", ""),
                !(group instanceof Inet6Address), group instanceof Inet6Address, "bind address") : null;
        return new VxvdeSettings(group, port, vni, ttl, rcvbuf, v4, v6, hashSize,
                expire <= 0 ? DEFAULT_EXPIRE : Duration.ofSeconds(expire), ifName, bind);
    }

    /** A number, a group name (its gid), or empty (the effective gid of this process). */
    static int parseVni(OptionReader r, String value) {
        String accepted = "a number 0.." + VxHeader.MAX_VNI + ", a group name, or empty for the effective gid";
        long v;
        if (value.isBlank()) {
            v = GroupIds.effectiveGid();
        } else if (Character.isDigit(value.trim().charAt(0))) {
            v = r.parseInteger(value, "vni", 0, VxHeader.MAX_VNI);
        } else {
            v = GroupIds.resolve(value);
        }
        if (v < 0 || v > VxHeader.MAX_VNI) {
            throw r.bad("vni", value, accepted);
        }
        return (int) v;
    }

    @Override
    public String toString() {
        return "vxvde://" + group.getHostAddress() + "/port=" + port + "/vni=" + vni
                + (interfaceName == null ? "" : "/if=" + interfaceName);
    }
}
