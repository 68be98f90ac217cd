package org.jioth.spi;

import java.util.List;

/**
 * What {@link StackProvider#newStack} is asked for.
 *
 * @param name    the plug-in name as the caller wrote it
 * @param options everything after the first comma of the stack string, verbatim ("" when none)
 * @param vnls    one VNL per virtual interface, in order (possibly {@code ifname:vnl})
 * @param sockets where the plug-in records every channel it opens or accepts, so that closing the
 *                stack can refuse while any is open (EBUSY)
 */
public record StackRequest(String name, String options, List<String> vnls, SocketRegistry sockets) {
    public StackRequest {
        vnls = List.copyOf(vnls);
    }
}
