package org.jioth.jnet.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jioth.jnet.ip.GroupMemberships;
import org.jioth.jnet.ip.SourceFilter;

/**
 * A jnet datagram channel's membership of a multicast group on one interface: any-source (with
 * the sources {@link #block}ed) or for one source. Holds the network layer's handle; {@link #drop}
 * leaves it on the stack loop.
 */
final class JnetMembershipKey extends MembershipKey {
    private final JnetDatagramChannel channel;
    private final InetAddress group;
    private final NetworkInterface interf;
    private final InetAddress source;
    final GroupMemberships.Membership membership;
    /** Blocked sources of an any-source membership (bounded by GroupMemberships.MAX_SOURCES). */
    private final Set<InetAddress> blocked = new LinkedHashSet<>();
    private volatile boolean valid = true;

    JnetMembershipKey(JnetDatagramChannel channel, InetAddress group, NetworkInterface interf, InetAddress source,
            GroupMemberships.Membership membership) {
        this.channel = channel;
        this.group = group;
        this.interf = interf;
        this.source = source;
        this.membership = membership;
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    /** The channel dropped it (drop, close). */
    void invalidate() {
        valid = false;
    }

    @Override
    public void drop() {
        channel.drop(this);
    }

    @Override
    public synchronized MembershipKey block(InetAddress source) throws IOException {
        if (this.source != null) {
            throw new IllegalStateException("key is source-specific");
        }
        checkSource(source);
        if (!valid) {
            throw new IllegalStateException("membership key is no longer valid");
        }
        if (blocked.size() >= GroupMemberships.MAX_SOURCES) {
            throw new java.net.SocketException("more than " + GroupMemberships.MAX_SOURCES + " blocked sources (No buffer space available)");
        }
        if (blocked.add(source)) {
            channel.change(this, SourceFilter.exclude(blocked.toArray(InetAddress[]::new)));
        }
        return this;
    }

    @Override
    public synchronized MembershipKey unblock(InetAddress source) {
        if (!blocked.contains(source)) {
            throw new IllegalStateException("not blocked");
        }
        if (!valid) {
            throw new IllegalStateException("membership key is no longer valid");
        }
        blocked.remove(source);
        try {
            channel.change(this, SourceFilter.exclude(blocked.toArray(InetAddress[]::new)));
        } catch (IOException e) {
            throw new IllegalStateException("unblock failed: " + e.getMessage(), e);
        }
        return this;
    }

    private void checkSource(InetAddress s) {
        if (s.isAnyLocalAddress()) {
            throw new IllegalArgumentException("Source address is a wildcard address");
        }
        if (s.isMulticastAddress()) {
            throw new IllegalArgumentException("Source address is multicast address");
        }
        if (s.getClass() != group.getClass()) {
            throw new IllegalArgumentException("Source address is different type to group");
        }
    }

    @Override
    public MulticastChannel channel() {
        return channel;
    }

    @Override
    public InetAddress group() {
        return group;
    }

    @Override
    public NetworkInterface networkInterface() {
        return interf;
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public String toString() {
        return "<" + group.getHostAddress() + "," + interf.getName()
                + (source == null ? "" : "," + source.getHostAddress()) + ">" + (valid ? "" : " invalid");
    }
}
