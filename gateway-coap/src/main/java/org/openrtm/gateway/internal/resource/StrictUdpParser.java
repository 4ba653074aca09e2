package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAPMessageFormatException;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.network.serialization.MessageHeader;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.elements.util.DatagramReader;

/**
 * Californium's UDP message parser, plus one rule of RFC 7252 it leaves out: a message whose token length is one of the
 * reserved values 9 to 15 is a message format error, and a confirmable one is rejected with a Reset (sections 3 and
 * 4.2). Californium's parser drops such a datagram silently because it gives up before reading the message id; this
 * one reads the header first, so the endpoint can answer. Everything else is Californium's. Thread-safe (stateless).
 */
public final class StrictUdpParser extends UdpDataParser {

    private static final int HEADER_BITS = 32;
    private static final int MAX_TOKEN_LENGTH = 8;

    /** A parser with Californium's default (strict) rules for empty messages. */
    public StrictUdpParser() {
        super(true, (int[]) null);
    }

    @Override
    protected MessageHeader parseHeader(final DatagramReader reader) {
        if (reader.bitsLeft() >= HEADER_BITS) {
            reader.mark();
            final int version = reader.read(CoAP.MessageFormat.VERSION_BITS);
            final int type = reader.read(CoAP.MessageFormat.TYPE_BITS);
            final int tokenLength = reader.read(CoAP.MessageFormat.TOKEN_LENGTH_BITS);
            final int code = reader.read(CoAP.MessageFormat.CODE_BITS);
            final int mid = reader.read(CoAP.MessageFormat.MESSAGE_ID_BITS);
            reader.reset();
            if (version == CoAP.MessageFormat.VERSION && tokenLength > MAX_TOKEN_LENGTH) {
                throw new CoAPMessageFormatException("token length " + tokenLength + " is reserved", null, mid, code,
                        type == CoAP.Type.CON.value);
            }
        }
        return super.parseHeader(reader);
    }

    /**
     * A block longer than the size its Block1/Block2 option says is answered 4.08 Request Entity Incomplete (RFC 7959
     * section 2.9.2); Californium's check throws an exception its endpoint does not answer, so the request would go
     * unanswered.
     */
    @Override
    public void parseOptionsAndPayload(final DatagramReader reader, final Message message) {
        try {
            super.parseOptionsAndPayload(reader, message);
        } catch (final IllegalStateException e) {
            throw new CoAPMessageFormatException(e.getMessage(), message.getToken(), message.getMID(),
                    message.getRawCode(), message.isConfirmable(), CoAP.ResponseCode.REQUEST_ENTITY_INCOMPLETE);
        }
    }
}
