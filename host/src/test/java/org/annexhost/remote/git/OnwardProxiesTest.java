package org.annexhost.remote.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.annexhost.api.Uuid;
import org.junit.jupiter.api.Test;

class OnwardProxiesTest {
    static final Uuid GW = new Uuid("11111111-1111-1111-1111-111111111111");
    static final String A = "aaaaaaaa-0000-0000-0000-000000000001";
    static final String B = "bbbbbbbb-0000-0000-0000-000000000002";

    @Test
    void theNewestLineOfTheGatewayCounts() {
        String log = "1700000010.5s " + GW + " " + A + ":old\n"
                + "1700000100s " + GW + " " + A + ":nas " + B + ":cloud\n"
                + "1700000200s 22222222-2222-2222-2222-222222222222 " + B + ":theirs\n"
                + "999999999s " + GW + " " + B + ":ancient\n";
        assertThat(OnwardProxies.parse(log, GW)).extracting(OnwardProxies.Entry::toString)
                .containsExactly(A + ":nas", B + ":cloud");
    }

    @Test
    void entriesThatCannotBeRoutedOrNamedSafelyAreSkipped() {
        assertThat(OnwardProxies.entries("bad/uuid:x " + A + ":../../etc " + A + ": " + B + ":ok.name_1"))
                .extracting(OnwardProxies.Entry::name).containsExactly("ok.name_1");
    }

    @Test
    void aGatewayWithNoLineProxiesNothing() {
        assertThat(OnwardProxies.parse("1700000100s 22222222-2222-2222-2222-222222222222 " + A + ":x\n", GW)).isEmpty();
        assertThat(OnwardProxies.parse("", GW)).isEmpty();
    }
}
