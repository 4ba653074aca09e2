package org.openrtm.sdk.attribute;

import org.jetbrains.annotations.NotNull;

/**
 * Told the attributes of the owners watched with {@link Attributes#subscribe(AttributeOwner)}: each key's value when
 * the watch starts, then every change and deletion. Runs on the client's callback executor, one call at a time.
 */
@FunctionalInterface
public interface AttributeListener {

    /**
     * An attribute of a watched owner is set, changed or deleted.
     *
     * @param event what changed
     */
    void onAttribute(@NotNull AttributeEvent event);
}
