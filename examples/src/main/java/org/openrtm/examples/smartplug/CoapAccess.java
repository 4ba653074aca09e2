package org.openrtm.examples.smartplug;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.Sandbox;

import java.net.InetSocketAddress;

/**
 * How a CoAP device reaches the server: the CoAP gateway's address and a token for the device's uid. The launcher's
 * embedded sandbox provides it; tests bring their own.
 */
public interface CoapAccess {

    /** The gateway's plain CoAP (UDP) address. */
    @NotNull InetSocketAddress coapAddress();

    /**
     * A valid token for a device.
     *
     * @param uid the device's uid
     * @return the token (a JWT), sent as the payload of the login
     */
    @NotNull String token(@NotNull String uid);

    /**
     * The CoAP access of a sandbox that has one.
     *
     * @param sandbox the sandbox
     * @return it, as CoAP access
     * @throws IllegalStateException if the sandbox has no CoAP gateway
     */
    static @NotNull CoapAccess of(final @NotNull Sandbox sandbox) {
        if (sandbox instanceof CoapAccess) {
            return (CoapAccess) sandbox;
        }
        throw new IllegalStateException("the smart plug needs a sandbox with a CoAP gateway, but "
                + sandbox.getClass().getSimpleName() + " has none");
    }
}
