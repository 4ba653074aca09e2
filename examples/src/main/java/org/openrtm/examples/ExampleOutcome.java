package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;

/** What an example ends with: its observable results (checked by the tests), and a line in plain words. */
public interface ExampleOutcome {

    /** The outcome in plain words, one line, as the launcher prints it after {@code outcome: }. */
    @NotNull String summary();
}
