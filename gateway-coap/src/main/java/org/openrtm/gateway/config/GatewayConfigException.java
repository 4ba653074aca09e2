package org.openrtm.gateway.config;

import org.jetbrains.annotations.NotNull;

import java.util.List;

/** The gateway's configuration is invalid; {@link #errors()} lists every problem found, not only the first. */
public final class GatewayConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    /** @param errors every problem, one sentence each */
    public GatewayConfigException(final @NotNull List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    /** Every problem, one sentence each, naming the key, the rule and the value. */
    public @NotNull List<String> errors() {
        return errors;
    }
}
