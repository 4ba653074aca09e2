package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.DelivererException;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.jetbrains.annotations.NotNull;

import java.util.List;

/**
 * Delivers requests to the gateway's resources. A GET with Observe: 0 under {@code /rtm} gets a new
 * {@link ObservationResource}, so each observation holds exactly one relation and ends on its own; everything
 * else goes through the resource tree ({@code /session}, {@code /rtm}).
 */
public final class GatewayDeliverer extends ServerMessageDeliverer {

    private final Core core;
    private final RtmResource rtm;

    /**
     * @param root   the server's root resource (with {@code session} and {@code rtm} added by {@link #install})
     * @param config the Californium configuration
     * @param core   what the resources share
     */
    private GatewayDeliverer(final @NotNull Resource root, final @NotNull Configuration config, final @NotNull Core core,
                             final @NotNull RtmResource rtm) {
        super(root, config);
        this.core = core;
        this.rtm = rtm;
    }

    /**
     * Adds the gateway's resources to a server root and returns the deliverer to install on the server.
     *
     * @param root     the server's root resource
     * @param config   the Californium configuration
     * @param core     what the resources share
     * @param sessions the {@code /session} resource
     */
    public static @NotNull GatewayDeliverer install(final @NotNull Resource root, final @NotNull Configuration config,
                                                    final @NotNull Core core, final @NotNull SessionResource sessions) {
        final RtmResource rtm = new RtmResource(core);
        root.add(sessions);
        root.add(rtm);
        return new GatewayDeliverer(root, config, core, rtm);
    }

    @Override
    protected Resource findResource(final Exchange exchange) throws DelivererException {
        final Request request = exchange.getRequest();
        final List<String> path = request.getOptions().getUriPath();
        if (!path.isEmpty() && path.get(0).equals("rtm") && request.getCode() == CoAP.Code.GET && request.isObserve()) {
            return new ObservationResource(core, rtm);
        }
        return findResource(path);
    }
}
