package org.openrtm.bench.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.interceptor.puback.PubackInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackInboundInput;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import org.jetbrains.annotations.NotNull;

/**
 * A HiveMQ extension that registers, for every client, a publish outbound and a PUBACK inbound interceptor that do
 * nothing: target n of the benchmarks. Compared with plain HiveMQ (b) it shows what HiveMQ's interceptor dispatch
 * costs any extension that tracks deliveries, as OpenRTM's {@code DeliveryTracker} does. No authentication is
 * installed (HiveMQ's default allows everyone). Thread-safe (stateless).
 */
public final class NoOpInterceptors implements ExtensionMain {

    private static final Interceptor INTERCEPTOR = new Interceptor();

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        Services.initializerRegistry().setClientInitializer((initializerInput, client) -> {
            client.addPublishOutboundInterceptor(INTERCEPTOR);
            client.addPubackInboundInterceptor(INTERCEPTOR);
        });
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        // nothing to release
    }

    /** Does nothing with what it is given. */
    private static final class Interceptor implements PublishOutboundInterceptor, PubackInboundInterceptor {

        @Override
        public void onOutboundPublish(final @NotNull PublishOutboundInput input, final @NotNull PublishOutboundOutput output) {
            // no-op: the cost measured is HiveMQ's dispatch
        }

        @Override
        public void onInboundPuback(final @NotNull PubackInboundInput input, final @NotNull PubackInboundOutput output) {
            // no-op
        }
    }
}
