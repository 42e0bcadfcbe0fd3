package io.parley.chat.quotas;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.TopicNames;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which quotas apply to which app: the defaults ({@code parley.chat.quotas.*}) and the per-app overrides
 * ({@code parley.chat.quotas.overrides}, {@code <appId>:<quota>=<n>[,…][;<appId>:…]}). A malformed override stops the
 * node at start: a quota silently not applied is worse than a node that does not start.
 */
@Startup // parsed as the node starts, so a malformed override stops it there
@Singleton
public class QuotaPlan {

    private final QuotaLimits defaults;
    private final Map<String, QuotaLimits> overrides;

    public QuotaPlan(ChatConfig config) {
        ChatConfig.Quotas quotas = config.quotas();
        this.defaults = new QuotaLimits(nonNegative(quotas.connections(), "connections"),
                nonNegative(quotas.subscribers(), "subscribers"),
                nonNegative(quotas.publicationsPerSecond(), "publications-per-second"),
                nonNegative(quotas.notificationsPerSecond(), "notifications-per-second"));
        this.overrides = parse(quotas.overrides(), defaults);
    }

    public QuotaLimits limitsOf(String appId) {
        return overrides.getOrDefault(appId, defaults);
    }

    /** Parses the override format; an app's figures not named keep the defaults. */
    static Map<String, QuotaLimits> parse(Optional<String> text, QuotaLimits defaults) {
        Map<String, QuotaLimits> apps = new HashMap<>();
        if (text.isEmpty() || text.get().isBlank()) {
            return apps;
        }
        for (String entry : text.get().split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String appId = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (!TopicNames.validApp(appId)) {
                throw invalid("\"" + entry.trim() + "\" does not start with an app id and ':'");
            }
            QuotaLimits limits = apps.getOrDefault(appId, defaults);
            for (String setting : entry.substring(colon + 1).split(",")) {
                int eq = setting.indexOf('=');
                Quota quota = eq < 0 ? null : quotaNamed(setting.substring(0, eq).trim());
                if (quota == null) {
                    throw invalid("\"" + setting.trim() + "\" for app " + appId + " is not <quota>=<n> with a quota of "
                            + "connections, subscribers, publications-per-second, notifications-per-second");
                }
                long value;
                try {
                    value = Long.parseLong(setting.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw invalid("\"" + setting.trim() + "\" for app " + appId + " needs a whole number");
                }
                limits = limits.with(quota, nonNegative(value, quota.setting()));
            }
            apps.put(appId, limits);
        }
        return apps;
    }

    private static Quota quotaNamed(String name) {
        for (Quota quota : Quota.values()) {
            if (quota.setting().equals(name)) {
                return quota;
            }
        }
        return null;
    }

    private static long nonNegative(long value, String name) {
        if (value < 0) {
            throw invalid(name + " is " + value + "; a quota is 0 (unlimited) or more");
        }
        return value;
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("parley.chat.quotas: " + why);
    }
}
