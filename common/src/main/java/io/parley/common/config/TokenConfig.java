package io.parley.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Token settings shared by every service (environment: {@code PARLEY_TOKEN_*}). */
@ConfigMapping(prefix = "parley.token")
public interface TokenConfig {

    /**
     * Base64 of the 256-bit AES key that encrypts access tokens, when there is one key ({@code PARLEY_TOKEN_KEY}).
     * Tokens then carry no {@code kid}. Changing it logs everyone out: use {@link #keysFile()} to rotate.
     */
    Optional<String> key();

    /**
     * The token key set as JSON text ({@code PARLEY_TOKEN_KEYS}; see {@code TokenKeySet}): several keys by
     * {@code kid}, with {@code activeFrom} and {@code retireAt}. Read once at start; takes precedence over {@link #key()}.
     */
    Optional<String> keys();

    /**
     * A file holding the token key set ({@code PARLEY_TOKEN_KEYS_FILE}), e.g. a Kubernetes Secret mounted as a
     * volume. Re-read every {@link #keysReloadInterval()}, so a key is added or retired without a restart. Takes
     * precedence over {@link #keys()} and {@link #key()}.
     */
    Optional<String> keysFile();

    /** How often {@link #keysFile()} is re-read. */
    @WithDefault("10S")
    Duration keysReloadInterval();

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
