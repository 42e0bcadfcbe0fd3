package io.parley.auth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** auth-service settings (environment: {@code PARLEY_AUTH_*}). Token lifetimes live in {@code parley.token}. */
@ConfigMapping(prefix = "parley.auth")
public interface AuthConfig {

    /** The key that guards {@code POST /api/v1/apps} ({@code X-Admin-Key}); from a Secret in production. */
    String adminKey();

    /** The operator's admin API ({@code /api/v1/admin}). */
    AdminApi adminApi();

    interface AdminApi {
        /** Off by default: every admin path answers 404 until an operator turns it on. */
        @WithDefault("false")
        boolean enabled();

        /**
         * The keys that open the admin API ({@code X-Admin-Key}), comma-separated, so a key can be replaced without
         * a moment without one (add the new, move callers, remove the old). Unset: the {@link #adminKey()}.
         */
        Optional<List<String>> keys();

        /**
         * How often the Redis copy of the send blocks is put back in line with MySQL (after Redis lost its data; the
         * blocks themselves reach chat nodes at once).
         */
        @WithDefault("30S")
        Duration blockResyncInterval();
    }

    /** bcrypt cost factor (log2 rounds) for password hashes. */
    @WithDefault("10")
    int bcryptCost();

    /** Login rate limits. */
    LoginLimits login();

    /** User look-ups. */
    UserLookups users();

    /** What is kept of deleted accounts, and for how long (docs/operations.md, "Retention"). */
    Retention retention();

    interface Retention {
        /**
         * A deleted account's personal data (display name, password hash, devices) is erased this long after the
         * deletion; {@code 0} keeps it. The row and its username stay: ids in history resolve, and nobody can take
         * the name to impersonate the old account.
         */
        @WithDefault("30D")
        Duration deletedAccountDataAge();

        /** How often the purge looks for accounts due. */
        @WithDefault("1H")
        Duration interval();

        /** Accounts erased per statement (each its own short transaction). */
        @WithDefault("200")
        int batchSize();

        /** Pause between two batches. */
        @WithDefault("100ms")
        Duration pauseBetweenBatches();

        /** At most this many batches per round. */
        @WithDefault("1000")
        int maxBatchesPerRound();
    }

    interface UserLookups {
        /** The most ids one {@code GET /api/v1/users?ids=…} may ask for (distinct ids; more is a 400). */
        @WithDefault("200")
        int batchMax();
    }

    interface LoginLimits {
        /** Attempts allowed per username in one window. */
        @WithDefault("10")
        int perUser();

        /** Attempts allowed per client address in one window. */
        @WithDefault("50")
        int perAddress();

        /** Length of the rate-limit window. */
        @WithDefault("1M")
        Duration window();
    }
}
