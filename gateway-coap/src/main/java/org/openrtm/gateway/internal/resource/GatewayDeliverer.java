package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.coap.BlockOption;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
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
        final Request request = exchange.getRequest();
        final InetSocketAddress peer = request.getSourceContext().getPeerAddress();
        if (Core.principalName(request) == null && !servesNoSec(core.nosecAnywhere(), peer.getAddress())) {
            return refuse(exchange, CoAP.ResponseCode.FORBIDDEN, "plain CoAP (NoSec) is served only to loopback "
                    + "addresses (coap.nosec=loopback), and this request came from " + peer.getAddress().getHostAddress()
                    + ": use CoAPS (DTLS), or set coap.nosec=any");
        }
        if (request.getOptions().hasProxyUri() || request.getOptions().hasProxyScheme()) {
            return refuse(exchange, CoAP.ResponseCode.PROXY_NOT_SUPPORTED,
                    "this gateway is not a proxy: Proxy-Uri and Proxy-Scheme are not supported");
        }
        for (final Option o : request.getOptions().getOthers()) {
            if (o.isCritical()) {
                return refuse(exchange, CoAP.ResponseCode.BAD_OPTION, "unrecognized critical option " + o.getNumber());
            }
        }
        if (request.getBytes() != null && !request.getOptions().hasBlock1() && request.getPayloadSize() > core.blockSize()) {
            // one datagram with more than a block (RFC 7959 section 2.9.3: 4.13 with the block size to use as Block1)
            final Response r = new Response(CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            r.setPayload("a request body in one datagram may be at most " + core.blockSize() + " bytes (coap.block-size), "
                    + "but was " + request.getPayloadSize() + ": send it block-wise (Block1), up to " + core.maxBodyBytes()
                    + " bytes (coap.max-body-bytes; the server's limit for a message is limits.max-payload-bytes)");
            r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
            r.getOptions().setBlock1(BlockOption.size2Szx(core.blockSize()), false, 0);
            r.getOptions().setSize1(core.maxBodyBytes());
            exchange.sendResponse(r);
            return true;
        }
        if (request.getOptions().getUriPath().isEmpty()) {
            if (request.getCode() == CoAP.Code.GET) {
                return refuse(exchange, CoAP.ResponseCode.CONTENT, "OpenRTM CoAP gateway: log in with POST "
                        + "/session?u=UID (the token as payload), then use /rtm/...?s=SID (see the gateway's README)");
            }
            return refuse(exchange, CoAP.ResponseCode.METHOD_NOT_ALLOWED, "/ only answers GET");
        }
        return false;
    }

    /** Whether plain CoAP (no DTLS) is served to a device at {@code from} ({@code coap.nosec}). */
    static boolean servesNoSec(final boolean anywhere, final @NotNull InetAddress from) {
        return anywhere || from.isLoopbackAddress();
    }

    private static boolean refuse(final Exchange exchange, final CoAP.ResponseCode code, final String text) {
        final Response r = new Response(code);
        r.setPayload(text);
        r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        exchange.sendResponse(r);
        return true;
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
