package org.jioth.jnet.tcp;

/**
 * The {@link TimeWaitRecord}s, first to expire first, as a doubly linked list threaded through
 * the records themselves: removing any one (when it expires or a new SYN reuses its tuple), taking
 * the oldest (when it expires or the bound is reached) are O(1) and allocate nothing. Every record
 * of a stack usually lives the same 2MSL, so adding walks back from the newest only past records
 * expiring later (none but after an MSL change). The layer arms one timer at the oldest's expiry
 * instead of one per record, and evicts {@link #oldest()} while {@link #size()} exceeds its bound.
 * Loop-only.
 */
final class TimeWaitQueue {
    private TimeWaitRecord oldest;
    private TimeWaitRecord newest;
    private int size;

    int size() {
        return size;
    }

    /** The record that expires first, or null. */
    TimeWaitRecord oldest() {
        return oldest;
    }

    boolean contains(TimeWaitRecord r) {
        return r.queued;
    }

    /** Inserts {@code r} by its expiry (after those expiring at the same time); false when already queued. */
    boolean add(TimeWaitRecord r) {
        if (r.queued) {
            return false;
        }
        r.queued = true;
        TimeWaitRecord before = newest;
        while (before != null && before.expiry - r.expiry > 0) {
            before = before.older;
        }
        TimeWaitRecord after = before == null ? oldest : before.newer;
        r.older = before;
        r.newer = after;
        if (before == null) {
            oldest = r;
        } else {
            before.newer = r;
        }
        if (after == null) {
            newest = r;
        } else {
            after.older = r;
        }
        size++;
        return true;
    }

    /** Unlinks {@code r}; false when it was not queued. */
    boolean remove(TimeWaitRecord r) {
        if (!r.queued) {
            return false;
        }
        TimeWaitRecord older = r.older;
        TimeWaitRecord newer = r.newer;
        if (older == null) {
            oldest = newer;
        } else {
            older.newer = newer;
        }
        if (newer == null) {
            newest = older;
        } else {
            newer.older = older;
        }
        r.older = null;
        r.newer = null;
        r.queued = false;
        size--;
        return true;
    }
}
