package org.jioth.nio;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Set;

/**
 * A view that allows removal but not addition, like the JDK's public selected-key set; for any
 * plug-in's selector.
 */
public final class UngrowableSet<E> extends AbstractSet<E> {
    private final Set<E> set;

    public UngrowableSet(Set<E> set) {
        this.set = set;
    }

    @Override
    public Iterator<E> iterator() {
        return set.iterator();
    }

    @Override
    public int size() {
        return set.size();
    }

    @Override
    public boolean contains(Object o) {
        return set.contains(o);
    }

    @Override
    public boolean remove(Object o) {
        return set.remove(o);
    }

    @Override
    public void clear() {
        set.clear();
    }
}
