package org.openrtm.sdk.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent message ids seen, to drop duplicates: a bounded set that forgets the oldest id when full. Not
 * thread-safe (used on the engine thread only).
 */
final class RecentIds {

    private final LinkedHashMap<String, Boolean> ids;

    RecentIds(final int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Records an id.
     *
     * @return true if it is new, false if it was seen recently (a duplicate)
     */
    boolean add(final String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }

    int size() {
        return ids.size();
    }
}
