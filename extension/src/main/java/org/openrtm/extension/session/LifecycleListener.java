package org.openrtm.extension.session;

import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationFailedInput;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import org.jetbrains.annotations.NotNull;

/** Reports the end of every connection to {@link Sessions}, with how it ended. Thread-safe. */
public final class LifecycleListener implements ClientLifecycleEventListener {

    private final Sessions sessions;

    public LifecycleListener(final @NotNull Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {
        // the authenticator prepares the connection
    }

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        // the CONNACK tracker establishes the connection
    }

    @Override
    public void onAuthenticationFailedDisconnect(final @NotNull AuthenticationFailedInput input) {
        close(input, Sessions.CloseKind.SERVER);
    }

    @Override
    public void onClientInitiatedDisconnect(final @NotNull ClientInitiatedDisconnectInput input) {
        close(input, Sessions.CloseKind.CLIENT);
    }

    @Override
    public void onConnectionLost(final @NotNull ConnectionLostInput input) {
        close(input, Sessions.CloseKind.LOST);
    }

    @Override
    public void onServerInitiatedDisconnect(final @NotNull ServerInitiatedDisconnectInput input) {
        final boolean takenOver = input.getReasonCode().map(c -> c == DisconnectedReasonCode.SESSION_TAKEN_OVER)
                .orElse(false);
        close(input, takenOver ? Sessions.CloseKind.TAKEN_OVER : Sessions.CloseKind.SERVER);
    }

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {
        close(input, Sessions.CloseKind.SERVER);
    }

    private void close(final DisconnectEventInput input, final Sessions.CloseKind kind) {
        final long number = ConnectionAttributes.number(input.getConnectionInformation());
        if (number >= 0) {
            sessions.closed(number, kind);
        }
    }
}
