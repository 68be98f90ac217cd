package org.jioth.jnet.link;

import java.util.ArrayList;
import java.util.List;

/** The interfaces of a stack, by index and name. Loop-only (reads from elsewhere go through the loop). */
public final class Interfaces {
    private final List<NetInterface> list = new ArrayList<>();
    private int nextIndex = 1;

    public void add(NetInterface i) {
        list.add(i);
        nextIndex = Math.max(nextIndex, i.index + 1);
    }

    public void remove(NetInterface i) {
        list.remove(i);
    }

    /** The index a new interface gets when none is asked for (indices are never reused). */
    public int nextIndex() {
        return nextIndex;
    }

    public NetInterface byIndex(int index) {
        for (NetInterface i : list) {
            if (i.index == index) {
                return i;
            }
        }
        return null;
    }

    public NetInterface byName(String name) {
        for (NetInterface i : list) {
            if (i.name.equals(name)) {
                return i;
            }
        }
        return null;
    }

    /** Whether some interface takes partial TCP checksums (a tap with offload): else no route need be asked. */
    public boolean anyAcceptsPartialChecksums() {
        for (int n = 0; n < list.size(); n++) {
            if (list.get(n).acceptsPartialChecksums()) {
                return true;
            }
        }
        return false;
    }

    /** Whether some interface takes TSO frames (a tap with offload): else TCP need not ask a route. */
    public boolean anySegments() {
        for (int n = 0; n < list.size(); n++) {
            if (list.get(n).maxSegmentedFrame() > 0) {
                return true;
            }
        }
        return false;
    }

    public List<NetInterface> all() {
        return list;
    }

    /** The interface holding address {@code a} (any state), or null. */
    public NetInterface owner(int a) {
        for (NetInterface i : list) {
            if (i.address(a) != null) {
                return i;
            }
        }
        return null;
    }

    public boolean isUsable(int index) {
        NetInterface i = byIndex(index);
        return i != null && i.isUp();
    }
}
