package org.openrtm.bench.broker;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How the benchmark starts its brokers. Immutable.
 *
 * @param workDir    where each broker gets its data folder, configuration and log file
 * @param secret     the token secret, passed to the OpenRTM broker as {@code RTM_SECRET}
 * @param settings   OpenRTM extension settings ({@code --setting key=value}), applied to target a only
 * @param heap       the {@code -Xmx} of the JVM brokers, e.g. {@code 2g}
 * @param jvmOptions more JVM options for the JVM brokers (both a and b, so that they stay comparable)
 * @param jfrDir     if not null, the JVM brokers record a JFR profile into this folder
 * @param mosquitto  the {@code mosquitto} binary, or null if there is none
 * @param classpath  the class path the JVM brokers run with (this process's, normally)
 * @param coapSettings CoAP gateway settings of target a (gateway-coap/README.md)
 */
public record LaunchOptions(
        @NotNull Path workDir,
        @NotNull String secret,
        @NotNull Map<String, String> settings,
        @NotNull String heap,
        @NotNull List<String> jvmOptions,
        @Nullable Path jfrDir,
        @Nullable Path mosquitto,
        @NotNull String classpath,
        @NotNull Map<String, String> coapSettings) {

    /** Copies the collections. */
    public LaunchOptions {
        settings = Map.copyOf(settings);
        jvmOptions = List.copyOf(jvmOptions);
        coapSettings = Map.copyOf(coapSettings);
    }

    /** Options without CoAP gateway settings. */
    public LaunchOptions(final @NotNull Path workDir, final @NotNull String secret, final @NotNull Map<String, String> settings,
                         final @NotNull String heap, final @NotNull List<String> jvmOptions, final @Nullable Path jfrDir,
                         final @Nullable Path mosquitto, final @NotNull String classpath) {
        this(workDir, secret, settings, heap, jvmOptions, jfrDir, mosquitto, classpath, Map.of());
    }
}
