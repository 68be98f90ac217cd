package org.jioth.linux.fdnio;

/** What an {@link EpollSelector} needs of a channel of ours. */
interface FdSelectable {
    NativeFd nativeFd();

    /** The poll events that stand for the interest set {@code ops}. */
    int pollEventsFor(int ops);

    /** The ready operations that poll {@code events} mean for interest set {@code ops} (a subset of it). */
    int readyOpsFor(int events, int ops);
}
