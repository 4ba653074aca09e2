package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
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

    /**
     * Refuses a request that carries a critical option the gateway does not process (an odd option number Californium
     * keeps among the "other" options: OSCORE, Q-Block, unassigned numbers) with 4.02 Bad Option, as RFC 7252 section
     * 5.4.1 requires; Californium would otherwise hand the request on as if the option were not there.
     */
    @Override
    protected boolean preDeliverRequest(final Exchange exchange) {
        for (final Option o : exchange.getRequest().getOptions().getOthers()) {
            if (o.isCritical()) {
                final Response r = new Response(CoAP.ResponseCode.BAD_OPTION);
                r.setPayload("unrecognized critical option " + o.getNumber());
                r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
                exchange.sendResponse(r);
                return true;
            }
        }
        return false;
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
