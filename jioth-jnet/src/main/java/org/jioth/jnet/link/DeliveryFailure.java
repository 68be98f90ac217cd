package org.jioth.jnet.link;

/** Told when a packet it sent could not be delivered (for example ARP failed: EHOSTUNREACH). */
@FunctionalInterface
public interface DeliveryFailure {
    DeliveryFailure IGNORE = errno -> { };

    void failed(int errno);
}
