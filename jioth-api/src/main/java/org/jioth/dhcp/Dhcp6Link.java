package org.jioth.dhcp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * The datagram endpoint of one DHCPv6 exchange (UDP port 546 on the client's interface): the
 * client opens one per exchange and closes it after, so no socket stays open between exchanges
 * (a stack with an open socket refuses to close).
 */
interface Dhcp6Link extends Closeable {
    /** A received datagram and its source. */
    record Datagram(byte[] data, int length, InetSocketAddress from) {
    }

    /** Opens a link. */
    interface Opener {
        Dhcp6Link open() throws IOException;
    }

    /** Sends {@code message} to {@code to}. */
    void send(byte[] message, InetSocketAddress to) throws IOException;

    /** The next datagram received before {@code deadline} (on the client's clock), or null once it passed. */
    Datagram receive(Instant deadline) throws IOException;
}
