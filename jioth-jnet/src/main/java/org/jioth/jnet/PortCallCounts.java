package org.jioth.jnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.PortStatistics;

/**
 * The frames a stack's ports moved and the system calls that moved them, for
 * {@link JnetStack#statistics()} on any thread. The ports attached now are read at call time (a
 * port hands out its counters of now, whatever connection it has); a removed port's counts are
 * added to retired totals and the port is forgotten, so attaching and removing ports never grows
 * what is kept, and the sums never go back.
 */
final class PortCallCounts {
    private static final String[] NAMES = {
        "Port.FramesOut", "Port.SendCalls", "Port.SendRefused", "Port.FramesIn", "Port.ReceiveCalls"};

    private final List<EthernetPort> attached = new ArrayList<>();
    private final long[] retired = new long[NAMES.length];

    synchronized void attached(EthernetPort port) {
        attached.add(port);
    }

    /** After the port is closed (its last frames counted): folds its counts into the retired totals. */
    synchronized void removed(EthernetPort port) {
        for (int i = 0; i < attached.size(); i++) {
            if (attached.get(i) == port) {
                attached.remove(i);
                add(port.statistics(), retired);
                return;
            }
        }
    }

    /** Puts the sums over every port ever attached into {@code m}. */
    synchronized void addTo(Map<String, Long> m) {
        long[] sums = retired.clone();
        for (EthernetPort p : attached) {
            add(p.statistics(), sums);
        }
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], sums[i]);
        }
    }

    /** How many ports are read at call time (the ones attached now). */
    synchronized int portsRead() {
        return attached.size();
    }

    private static void add(PortStatistics st, long[] sums) {
        sums[0] += st.framesOut.sum();
        sums[1] += st.sendCalls.sum();
        sums[2] += st.sendRefused.sum();
        sums[3] += st.framesIn.sum();
        sums[4] += st.receiveCalls.sum();
    }
}
