package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server-side request forgery guard for URLs that users (webhooks) or deployments (the third-party API) name:
 * a call may not reach loopback, link-local (cloud metadata at 169.254.169.254), private, carrier-grade NAT,
 * unique-local, multicast or unspecified addresses, nor cluster-internal names ({@code localhost}, single-label
 * names, {@code *.local}, {@code *.internal}, {@code *.svc}, {@code *.cluster.local}) — unless the operator
 * allow-lists them ({@code parley.notify.egress.allow}).
 *
 * <p>The check runs when a webhook is bound and again on <em>every</em> send, on the addresses the name resolves
 * to then (DNS can change after verification); the call then connects to the address that was checked, not to a
 * second lookup (no rebinding in between). Every address a name resolves to must pass. Redirects are never
 * followed ({@link OutboundHttp}), so a receiver cannot bounce a call inwards.
 */
@ApplicationScoped
public class EgressPolicy {

    /** A refused target: the message says which rule, never the resolved address list of a foreign host. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** Where to connect: the host as named (Host header, TLS name) and the checked address. */
    public record Target(String host, InetAddress address) {
    }

    private final List<String> names = new ArrayList<>();
    private final List<String> domains = new ArrayList<>();
    private final List<byte[]> networks = new ArrayList<>();
    private final List<Integer> prefixes = new ArrayList<>();

    @Inject
    public EgressPolicy(NotifyConfig config) {
        this(config.egress().allow().orElse(List.of()));
    }

    /** With an explicit allow-list (see {@link NotifyConfig.Egress#allow()}). */
    public EgressPolicy(List<String> allow) {
        for (String raw : allow) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.startsWith(".")) {
                domains.add(entry);
            } else if (looksLikeAddress(entry)) {
                int slash = entry.indexOf('/');
                InetAddress network = literal(slash < 0 ? entry : entry.substring(0, slash));
                int bits = network.getAddress().length * 8;
                int prefix = slash < 0 ? bits : Integer.parseInt(entry.substring(slash + 1));
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("parley.notify.egress.allow: bad prefix in " + raw);
                }
                networks.add(network.getAddress());
                prefixes.add(prefix);
            } else {
                names.add(entry);
            }
        }
    }

    /** Resolves {@code url}'s host (blocking: call off the event loop) and checks every address. */
    public Target check(URI url) throws Refused {
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new Refused("the URL has no host");
        }
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        name = name.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        boolean nameAllowed = nameAllowed(name);
        if (!nameAllowed && !looksLikeAddress(name) && internalName(name)) {
            throw new Refused(host + " is a local or cluster-internal name");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw new Refused(host + " does not resolve");
        }
        if (!nameAllowed) {
            for (InetAddress address : addresses) {
                if (internal(address) && !addressAllowed(address)) {
                    throw new Refused(host + " resolves to an internal address");
                }
            }
        }
        return new Target(host, addresses[0]);
    }

    /** {@link #check} on a worker thread; fails with {@link SendFailure} when refused. */
    public Uni<Target> checkAsync(String url) {
        return Uni.createFrom().item(() -> {
            try {
                return check(URI.create(url));
            } catch (Refused e) {
                throw new SendFailure("refused by the egress policy: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new SendFailure("not a URL");
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** Loopback, link-local, private, CGNAT, unique-local, multicast, unspecified, broadcast or "this network". */
    public static boolean internal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0                                   // 0.0.0.0/8 "this network"
                    || (first == 100 && second >= 64 && second < 128) // 100.64.0.0/10 carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    || (first == 198 && (second == 18 || second == 19))  // 198.18.0.0/15 benchmarking
                    || first >= 240;                            // 240.0.0.0/4 reserved, 255.255.255.255 broadcast
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // fc00::/7 unique-local
            }
            // IPv4 embedded in IPv6 (::ffff:a.b.c.d mapped, ::a.b.c.d compatible, 64:ff9b::/96 NAT64): judge the IPv4
            boolean zeros = true;
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            boolean mapped = zeros && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff));
            boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            if (mapped || nat64) {
                try {
                    return internal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean internalName(String name) {
        return !name.contains(".") || name.equals("localhost") || name.endsWith(".localhost") || name.endsWith(".local")
                || name.endsWith(".internal") || name.endsWith(".svc") || name.endsWith(".cluster.local")
                || name.endsWith(".home.arpa");
    }

    private boolean nameAllowed(String name) {
        if (names.contains(name)) {
            return true;
        }
        for (String domain : domains) {
            if (name.endsWith(domain) || name.equals(domain.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private boolean addressAllowed(InetAddress address) {
        byte[] a = address.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            byte[] n = networks.get(i);
            if (n.length == a.length && samePrefix(a, n, prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean samePrefix(byte[] a, byte[] n, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    private static boolean looksLikeAddress(String entry) {
        return entry.contains(":") || entry.matches("[0-9./]+");
    }

    private static InetAddress literal(String text) {
        try {
            // an IP literal: getByName does no lookup for it
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("parley.notify.egress.allow: not an address: " + text, e);
        }
    }
}
