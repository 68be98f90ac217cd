package org.jioth.linux.netlink;

/** A netlink datagram or attribute region that does not follow the wire layout. */
public final class MalformedNetlinkException extends RuntimeException {
    public MalformedNetlinkException(String message) {
        super(message);
    }
}
