package org.openrtm.gateway.internal.resource;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code coap.nosec}: plain CoAP only for loopback devices unless the operator allows any address. */
class NoSecPolicyTest {

    @Test
    void byDefault_onlyLoopbackAddressesGetPlainCoap() throws Exception {
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("127.3.4.5"))).isTrue();
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("::1"))).isTrue();
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("192.0.2.10"))).isFalse();
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("2001:db8::1"))).isFalse();
        assertThat(GatewayDeliverer.servesNoSec(false, InetAddress.getByName("::ffff:192.0.2.10"))).isFalse();
    }

    @Test
    void withAny_everyAddressGetsPlainCoap() throws Exception {
        assertThat(GatewayDeliverer.servesNoSec(true, InetAddress.getByName("192.0.2.10"))).isTrue();
        assertThat(GatewayDeliverer.servesNoSec(true, InetAddress.getByName("2001:db8::1"))).isTrue();
    }
}
