package io.parley.notify.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The egress guard's rules, without a network: every target here is an address literal or refused by name. */
class EgressPolicyTest {

    private static final EgressPolicy DEFAULT = new EgressPolicy(List.of());

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:8080/hook", "http://127.9.9.9/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/", "http://10.0.0.7/", "http://172.16.5.4/", "http://192.168.1.1/", "http://100.64.0.1/",
            "http://[fd00::1]/", "http://[fc00::1]/", "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/",
            "http://255.255.255.255/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/", "http://localhost:8080/", "http://localhost./", "http://redis/",
            "http://kubernetes.default.svc/", "http://chat-service.parley.svc.cluster.local:8080/", "http://metadata.google.internal/",
            "http://printer.local/"})
    void shouldRefuseInternalTargetsByDefault(String url) {
        assertThrows(EgressPolicy.Refused.class, () -> DEFAULT.check(URI.create(url)), url);
    }

    @Test
    void shouldLetPublicAddressesThrough() throws Exception {
        assertEquals("93.184.216.34", DEFAULT.check(URI.create("https://93.184.216.34/hook")).address().getHostAddress());
        DEFAULT.check(URI.create("http://[2606:4700::1111]/hook"));
    }

    @Test
    void shouldLetAllowListedRangesAndNamesThrough() throws Exception {
        EgressPolicy policy = new EgressPolicy(List.of("127.0.0.1", "10.20.0.0/16", "fd12::/16", ".corp.example", "hooks.lan"));
        policy.check(URI.create("http://127.0.0.1:9000/hook"));
        policy.check(URI.create("http://10.20.255.1/"));
        policy.check(URI.create("http://[fd12::7]/"));
        assertThrows(EgressPolicy.Refused.class, () -> policy.check(URI.create("http://127.0.0.2/")), "only the one address");
        assertThrows(EgressPolicy.Refused.class, () -> policy.check(URI.create("http://10.21.0.1/")), "outside the range");
        assertThrows(EgressPolicy.Refused.class, () -> policy.check(URI.create("http://[fd13::7]/")));
        assertThrows(EgressPolicy.Refused.class, () -> policy.check(URI.create("http://169.254.169.254/")));
    }
}
