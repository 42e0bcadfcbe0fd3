package io.parley.auth.config;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.net.Inet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start when {@code PARLEY_AUTH_TRUSTED_PROXIES} names a proxy by host name. For a host name, Quarkus
 * (3.33) creates a DNS client on every request to resolve it and never closes it: one UDP socket leaked per request,
 * until the process runs out of file descriptors and stops accepting connections (seen signing in 18,000 users with
 * {@code ::1} in the list, which its parser took for a host name). Addresses and CIDRs are matched without DNS.
 */
@ApplicationScoped
public class TrustedProxiesCheck {

    void check(@Observes StartupEvent event,
               @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> proxies) {
        for (String proxy : proxies.orElse(List.of())) {
            if (!isAddressOrCidr(proxy.trim())) {
                throw new IllegalStateException("PARLEY_AUTH_TRUSTED_PROXIES: '" + proxy + "' is not an IP address "
                        + "or a CIDR (e.g. 10.0.0.0/8, ::1/128); a host name would be resolved on every request");
            }
        }
    }

    /** {@code 10.1.2.3}, {@code 10.0.0.0/8}, {@code fd00::/8}, {@code ::1/128}: what Quarkus checks without DNS. */
    public static boolean isAddressOrCidr(String proxy) {
        int slash = proxy.indexOf('/');
        String address = slash < 0 ? proxy : proxy.substring(0, slash);
        if (slash >= 0 && !proxy.substring(slash + 1).matches("\\d{1,3}")) {
            return false;
        }
        // a bare IPv6 address (no prefix) goes through Quarkus' host:port parser, which reads '::1' as host ':' and
        // port 1 — a host name; only the CIDR form of an IPv6 address is safe
        if (slash < 0 && address.indexOf(':') >= 0) {
            return false;
        }
        return Inet.parseInetAddress(address) != null;
    }
}
