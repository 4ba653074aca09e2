package org.openrtm.extension.config;

import org.jetbrains.annotations.NotNull;

import java.util.List;

/** The configuration is invalid; {@link #errors()} lists every problem found, not only the first. */
public final class ConfigException extends Exception {

    private final List<String> errors;

    public ConfigException(final @NotNull List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    /** Every problem, one sentence each, naming the key, the rule and the value. */
    public @NotNull List<String> errors() {
        return errors;
    }
}
