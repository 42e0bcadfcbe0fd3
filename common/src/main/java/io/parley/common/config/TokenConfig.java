package io.parley.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Token settings shared by every service (environment: {@code PARLEY_TOKEN_*}). */
@ConfigMapping(prefix = "parley.token")
public interface TokenConfig {

    /**
     * Base64 of the 256-bit AES key that encrypts access tokens. The same key must reach every service;
     * in production it comes from a Kubernetes Secret ({@code PARLEY_TOKEN_KEY}).
     */
    String key();

    /** Lifetime of a user access token. */
    @WithDefault("15M")
    Duration accessTtl();

    /** Lifetime of a refresh token (and of an idle session). */
    @WithDefault("30D")
    Duration refreshTtl();

    /** Lifetime of an app (server-to-server) token. */
    @WithDefault("1H")
    Duration appTokenTtl();

    /**
     * How long a service may trust its last look at whether a session is live. Revocation reaches every
     * service within this time, so it must stay under the contract's 1 s.
     */
    @WithDefault("500ms")
    Duration revocationCacheTtl();

    /** How many session states each service keeps cached. */
    @WithDefault("100000")
    int revocationCacheSize();
}
