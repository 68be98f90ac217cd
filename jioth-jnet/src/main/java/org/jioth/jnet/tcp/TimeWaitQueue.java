package org.jioth.jnet.tcp;

/**
 * The connections in TIME_WAIT, oldest first, as a doubly linked list threaded through the
 * sockets themselves: adding, removing any one (when it expires or a new SYN reuses its tuple)
 * and taking the oldest (when the bound is reached) are O(1) and allocate nothing. The bound is
 * the caller's: it evicts {@link #oldest()} while {@link #size()} exceeds it. Loop-only.
 */
final class TimeWaitQueue {
    private TcpSocket oldest;
    private TcpSocket newest;
    private int size;

    int size() {
        return size;
    }

    /** The connection that entered TIME_WAIT first, or null. */
    TcpSocket oldest() {
        return oldest;
    }

    boolean contains(TcpSocket s) {
        return s.inTimeWait;
    }

    /** Appends {@code s} as the newest; false when it is already queued. */
    boolean add(TcpSocket s) {
        if (s.inTimeWait) {
            return false;
        }
        s.inTimeWait = true;
        s.timeWaitOlder = newest;
        s.timeWaitNewer = null;
        if (newest == null) {
            oldest = s;
        } else {
            newest.timeWaitNewer = s;
        }
        newest = s;
        size++;
        return true;
    }

    /** Unlinks {@code s}; false when it was not queued. */
    boolean remove(TcpSocket s) {
        if (!s.inTimeWait) {
            return false;
        }
        TcpSocket older = s.timeWaitOlder;
        TcpSocket newer = s.timeWaitNewer;
        if (older == null) {
            oldest = newer;
        } else {
            older.timeWaitNewer = newer;
        }
        if (newer == null) {
            newest = older;
        } else {
            newer.timeWaitOlder = older;
        }
        s.timeWaitOlder = null;
        s.timeWaitNewer = null;
        s.inTimeWait = false;
        size--;
        return true;
    }
}
