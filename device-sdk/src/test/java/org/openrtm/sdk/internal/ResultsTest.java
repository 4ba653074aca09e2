package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;
import org.openrtm.sdk.ConflictException;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.ForbiddenException;
import org.openrtm.sdk.InvalidRequestException;
import org.openrtm.sdk.NotFoundException;
import org.openrtm.sdk.PayloadTooLargeException;
import org.openrtm.sdk.RateLimitedException;
import org.openrtm.sdk.RtmErrorCode;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.ServerErrorException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ResultsTest {

    @Test
    void successfulPubacks_mapToDeliveryStatuses() {
        assertThat(Results.delivery(0x00, "delivered")).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(Results.delivery(0x00, "cached")).isEqualTo(DeliveryStatus.CACHED);
        assertThat(Results.delivery(0x10, "unreachable")).isEqualTo(DeliveryStatus.UNREACHABLE);
        // a broker without the extension: only the reason code
        assertThat(Results.delivery(0x10, null)).isEqualTo(DeliveryStatus.UNREACHABLE);
        assertThat(Results.delivery(0x00, null)).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(Results.isSuccess(0x10)).isTrue();
        assertThat(Results.isSuccess(0x80)).isFalse();
    }

    @Test
    void everyProtocolRefusal_hasItsException() {
        assertThat(Results.refusal(0x87, "forbidden", "not yours")).isInstanceOf(ForbiddenException.class)
                .hasMessage("not yours [forbidden, PUBACK 0x87]");
        assertThat(Results.refusal(0x97, "too_large", "too big")).isInstanceOf(PayloadTooLargeException.class);
        assertThat(Results.refusal(0x99, "invalid", "bad")).isInstanceOf(InvalidRequestException.class);
        assertThat(Results.refusal(0x90, "invalid", "bad level")).isInstanceOf(InvalidRequestException.class);
        assertThat(Results.refusal(0x80, "internal", "disk full")).isInstanceOf(ServerErrorException.class);
        assertThat(Results.refusal(0x83, "conflict", "rev").code()).isEqualTo(RtmErrorCode.CONFLICT);
        assertThat(Results.refusal(0x83, "conflict", "rev")).isInstanceOf(ConflictException.class);
        assertThat(Results.refusal(0x83, null, "no rtm-status")).isInstanceOf(ConflictException.class);
        assertThat(Results.rpcError("not_found", "no such thing")).isInstanceOf(NotFoundException.class)
                .hasMessage("no such thing [not_found]");
        final RtmException limited = Results.refusal(0x97, "rate_limited",
                "rate limit is 2 publishes per second with bursts of 4 (limits.rate-per-second, limits.rate-burst);"
                        + " retry in 3 s");
        assertThat(limited).isInstanceOf(RateLimitedException.class);
        assertThat(((RateLimitedException) limited).retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(Results.refusal(0x97, "something_new", null).code()).isEqualTo(RtmErrorCode.UNKNOWN);
    }

    @Test
    void refusalsWithoutStatus_fallBackToTheReasonCode() {
        assertThat(Results.refusal(0x87, null, null)).isInstanceOf(ForbiddenException.class)
                .hasMessageContaining("no rtm-status, PUBACK 0x87");
        assertThat(Results.refusal(0x99, null, null)).isInstanceOf(InvalidRequestException.class);
        assertThat(Results.refusal(0x80, null, null)).isInstanceOf(ServerErrorException.class);
        assertThat(Results.refusal(0x97, null, null).code()).isEqualTo(RtmErrorCode.UNKNOWN);
    }

    @Test
    void rpcErrors_mapByTheirCode() {
        assertThat(Results.rpcError("unknown_method", "methods are server.info")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("methods are server.info [unknown_method]");
        assertThat(Results.rpcError("unknown_method", "x").code()).isEqualTo(RtmErrorCode.UNKNOWN_METHOD);
        assertThat(Results.rpcError("not_found", "no such key").code()).isEqualTo(RtmErrorCode.NOT_FOUND);
        assertThat(Results.rpcError("rate_limited", "retry in 1 s")).isInstanceOf(RateLimitedException.class);
        assertThat(Results.rpcError(null, null).code()).isEqualTo(RtmErrorCode.UNKNOWN);
        assertThat(Results.retryAfter("nothing here")).isNull();
    }

    @Test
    void connackCodes_mapToLoginErrors() {
        assertThat(ClientCore.loginError(0x85)).isEqualTo(org.openrtm.sdk.LoginError.INVALID_UID);
        assertThat(ClientCore.loginError(0x86)).isEqualTo(org.openrtm.sdk.LoginError.BAD_TOKEN);
        assertThat(ClientCore.loginError(0x87)).isEqualTo(org.openrtm.sdk.LoginError.TOKEN_EXPIRED);
        assertThat(ClientCore.loginError(0x8A)).isEqualTo(org.openrtm.sdk.LoginError.BANNED);
        assertThat(ClientCore.loginError(0x88)).isEqualTo(org.openrtm.sdk.LoginError.SERVER_UNAVAILABLE);
        assertThat(ClientCore.loginError(0x89)).isEqualTo(org.openrtm.sdk.LoginError.SERVER_UNAVAILABLE);
        assertThat(ClientCore.loginError(0x9F)).isEqualTo(org.openrtm.sdk.LoginError.SERVER_UNAVAILABLE);
        assertThat(ClientCore.loginError(0x84)).isEqualTo(org.openrtm.sdk.LoginError.REFUSED);
    }

    @Test
    void serverDisconnects_thatAreFinal_abort_andOthersReconnect() {
        assertThat(ClientCore.disconnectReason(0x8E)).isEqualTo(org.openrtm.sdk.ConnectionChangeReason.REMOTE_LOGIN);
        assertThat(ClientCore.disconnectReason(0x8A)).isEqualTo(org.openrtm.sdk.ConnectionChangeReason.BANNED);
        assertThat(ClientCore.disconnectReason(0x87)).isEqualTo(org.openrtm.sdk.ConnectionChangeReason.BANNED);
        assertThat(ClientCore.disconnectReason(0x98)).isEqualTo(org.openrtm.sdk.ConnectionChangeReason.KICKED);
        assertThat(ClientCore.disconnectReason(0x8B)).as("server shutting down").isNull();
        assertThat(ClientCore.disconnectReason(0x8D)).as("keep-alive timeout").isNull();
        assertThat(ClientCore.disconnectReason(-1)).as("connection lost").isNull();
    }

    @Test
    void anAttributeConflict_namesTheKeyAndBothRevisions_otherConflictsDoNot() {
        final ConflictException attr = (ConflictException) Results.rpcError("conflict", "attribute 'owner' of channel "
                + "'race' is at revision 4, but the write expected revision 3; nothing was changed");
        assertThat(attr.key()).isEqualTo("owner");
        assertThat(attr.currentRevision()).isEqualTo(4);
        assertThat(attr.expectedRevision()).isEqualTo(3);
        final ConflictException call = (ConflictException) Results.refusal(0x83, "conflict",
                "there is no active invitation 'c1' from 'phone' to you");
        assertThat(call.key()).isNull();
        assertThat(call.currentRevision()).isNull();
        assertThat(call.expectedRevision()).isNull();
    }
}
