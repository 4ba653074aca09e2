package org.openrtm.extension;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.config.ConfigException;
import org.openrtm.extension.config.RtmConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The extension's entry point. It only wires: reads and validates the configuration, then builds an
 * {@link RtmRuntime}; a configuration or start-up error prevents the extension from starting, with a message that
 * names the key, the rule and the value.
 *
 * <p>Deployed as a zip, HiveMQ calls the no-argument constructor: the configuration is
 * {@code <extension home>/conf/rtm.properties} and the data folder {@code <extension home>/data}. Embedded, the broker
 * passes both explicitly.
 */
public final class RtmExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(RtmExtensionMain.class);

    /** The configuration file name inside the extension's {@code conf/} folder. */
    public static final String CONFIG_FILE = "rtm.properties";

    private final @Nullable Path configFile;
    private final Map<String, String> overrides;
    private final @Nullable Path dataDir;
    private final Map<String, String> env;
    private volatile RtmRuntime runtime;
    private volatile String startupError;

    /** For HiveMQ's extension loader: configuration and data inside the extension's folder. */
    public RtmExtensionMain() {
        this(null, Map.of(), null, System.getenv());
    }

    /**
     * For embedding.
     *
     * @param configFile the configuration file, or {@code null} for the defaults
     * @param overrides  settings that replace those of the file (validated the same way)
     * @param dataDir    the data folder
     * @param env        the environment, for {@code RTM_SECRET}
     */
    public RtmExtensionMain(final @Nullable Path configFile, final @NotNull Map<String, String> overrides,
                            final @Nullable Path dataDir, final @NotNull Map<String, String> env) {
        this.configFile = configFile;
        this.overrides = Map.copyOf(overrides);
        this.dataDir = dataDir;
        this.env = Map.copyOf(env);
    }

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final Path home = input.getExtensionInformation().getExtensionHomeFolder().toPath();
        final Path config = configFile != null ? configFile : home.resolve("conf").resolve(CONFIG_FILE);
        final Path data = dataDir != null ? dataDir : home.resolve("data");
        final RtmConfig rtmConfig;
        try {
            final RtmConfig base = configFile == null && !Files.exists(config) ? RtmConfig.defaults() : RtmConfig.load(config);
            rtmConfig = overrides.isEmpty() ? base : base.with(overrides);
        } catch (final ConfigException e) {
            final String message = "invalid configuration " + config + ": " + String.join("; ", e.errors());
            log.error("OpenRTM: {}", message);
            startupError = message;
            output.preventExtensionStartup(message);
            return;
        }
        try {
            runtime = RtmRuntime.start(rtmConfig, data, env, input.getExtensionInformation().getVersion());
        } catch (final IOException | RuntimeException e) {
            final String message = "cannot start: " + e.getMessage();
            log.error("OpenRTM {}", message);
            log.debug("Start-up failure", e);
            startupError = message;
            output.preventExtensionStartup(message);
        }
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        final RtmRuntime r = runtime;
        runtime = null;
        if (r != null) {
            r.close();
        }
    }

    /** Why the last start was refused, or {@code null}. */
    public @Nullable String startupError() {
        return startupError;
    }

    /** The running runtime, or {@code null} before start and after stop (for the broker and tests). */
    public @Nullable RtmRuntime runtime() {
        return runtime;
    }
}
