package org.openrtm.bench.scenario;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.metrics.Figure;

import java.util.List;

/**
 * One benchmark scenario. The runner calls {@link #runOnce} for every repetition and every broker, interleaved
 * (a, b, c, a, b, c, ...), and reports the medians of the figures by name. Implementations are used by one thread.
 */
public interface Scenario {

    /** The scenario's name, as on the command line. */
    @NotNull String name();

    /** The parameters in force, for the report. */
    @NotNull JsonObject parameters();

    /**
     * Why this scenario cannot run against a target with these parameters (it is then reported as skipped), or null.
     *
     * @param target the broker kind
     * @param rtmSettings the OpenRTM extension settings in force (for limits that bound the scenario)
     */
    default @Nullable String unsupported(final @NotNull Target target, final @NotNull java.util.Map<String, String> rtmSettings) {
        return null;
    }

    /**
     * Whether this scenario compares OpenRTM with history on and off when {@code --history both} adds target h (the
     * peer scenario does); other scenarios skip the implicit h unless {@code --targets} names it.
     */
    default boolean comparesHistory() {
        return false;
    }

    /**
     * Runs one repetition against one broker and returns its figures, always the same names in the same order.
     *
     * @param broker    the running broker
     * @param generator makes the clients
     * @param rep       the repetition number, from 1 (use it to keep client ids unique across repetitions)
     * @return the figures
     * @throws Exception if the repetition could not be run at all (reported as an error of that repetition)
     */
    @NotNull List<Figure> runOnce(@NotNull BrokerHandle broker, @NotNull Generator generator, int rep) throws Exception;
}
