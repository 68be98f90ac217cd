package org.jioth.vde.ip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jioth.vde.portsupport.OptionReader;

/**
 * The settings of {@code vxlan://[mcastaddr][/option...]}, a VXLAN (RFC 7348) endpoint.
 *
 * @param group         multicast group (default 239.0.0.1, or ff05:56de::1 with {@code v6})
 * @param port          UDP port, both bound and sent to (option {@code port}, default 4789)
 * @param vni           24-bit VNI (option {@code vni}, default 1, numeric)
 * @param ttl           multicast TTL / hop limit (option {@code ttl}, default 1)
 * @param receiveBuffer SO_RCVBUF in bytes, 0 = kernel default (option {@code rcvbuf})
 * @param v4            option {@code v4} (as in the reference, only selects the default group)
 * @param v6            option {@code v6} (as in the reference, only selects the default group)
 * @param hashSize      MAC table size (option {@code hashsize}, default 1024)
 * @param expireTime    MAC entry validity (option {@code expiretime} in seconds, default 128)
 * @param interfaceName interface for joining and sending multicast, or null (option {@code if})
 */
public record VxlanSettings(InetAddress group, int port, int vni, int ttl, long receiveBuffer, boolean v4,
        boolean v6, int hashSize, Duration expireTime, String interfaceName) {
    /** The option names, in the reference's table order. */
    public static final List<String> OPTIONS =
            List.of("port", "vni", "ttl", "rcvbuf", "v6", "v4", "hashsize", "expiretime", "if");
    public static final int DEFAULT_PORT = 4789;
    public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(128);

    public VxlanSettings {
        TunnelSettingsCheck.check("vxlan", group, port, vni, ttl, receiveBuffer, hashSize, expireTime);
    }

    /** Defaults for {@code group} (port 4789, vni 1, ttl 1, hash 1024, expiry 128 s). */
    public static VxlanSettings of(InetAddress group) {
        return new VxlanSettings(group, DEFAULT_PORT, 1, 1, 0, false, false, 1024, DEFAULT_EXPIRE, null);
    }

    /** Converts option strings keyed by full option name ({@link #OPTIONS}); a bare flag has value "". */
    public static VxlanSettings fromOptions(String mainArgument, Map<String, String> options) {
        OptionReader r = new OptionReader("vxlan", options, OPTIONS);
        boolean v4 = r.flag("v4");
        boolean v6 = r.flag("v6");
        int port = (int) r.integer("port", DEFAULT_PORT, 1, 65535);
        int vni = (int) r.integer("vni", 1, 0, VxHeader.MAX_VNI);
        // The reference lets v4/v6 choose only the default group; an explicit group keeps its family.
        InetAddress group = GroupAddresses.group(r, mainArgument, false, false);
        if (mainArgument == null || mainArgument.isBlank()) {
            group = GroupAddresses.group(r, v6 ? GroupAddresses.DEFAULT_V6 : GroupAddresses.DEFAULT_V4, false, false);
        }
        int ttl = (int) r.integer("ttl", 1, 0, 255);
        long rcvbuf = r.size("rcvbuf", 0, Integer.MAX_VALUE);
        int hashSize = (int) r.integer("hashsize", 1024, 1, 1 << 24);
        long expire = r.integer("expiretime", 128, Long.MIN_VALUE, 1L << 40);
        String ifName = r.has("if") ? r.string("if", "") : null;
        if (ifName != null && ifName.isBlank()) {
            throw r.bad("if", ifName, "an interface name such as lo or eth0");
        }
        return new VxlanSettings(group, port, vni, ttl, rcvbuf, v4, v6, hashSize,
                expire <= 0 ? DEFAULT_EXPIRE : Duration.ofSeconds(expire), ifName);
    }

    @Override
    public String toString() {
        return "vxlan://" + group.getHostAddress() + "/port=" + port + "/vni=" + vni
                + (interfaceName == null ? "" : "/if=" + interfaceName);
    }
}
