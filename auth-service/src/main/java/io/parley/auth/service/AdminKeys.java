package io.parley.auth.service;

import io.parley.auth.config.AuthConfig;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The gate of the admin API: off unless {@code parley.auth.admin-api.enabled} (then every admin path is a 404, as if
 * it did not exist), and open only to one of the admin keys ({@code X-Admin-Key}, compared in constant time).
 */
@ApplicationScoped
public class AdminKeys {

    private final boolean enabled;
    private final List<String> keys;

    public AdminKeys(AuthConfig config) {
        this.enabled = config.adminApi().enabled();
        this.keys = config.adminApi().keys()
                .map(list -> list.stream().map(String::strip).filter(k -> !k.isEmpty()).toList())
                .filter(list -> !list.isEmpty())
                .orElse(List.of(config.adminKey()));
    }

    /** Passes, or throws 404 (admin API off) or 401 {@code BAD_ADMIN_KEY}. */
    public void check(String presented) {
        if (!enabled) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such resource");
        }
        boolean match = false;
        for (String key : keys) {
            match |= Secrets.constantTimeEquals(presented, key); // no early exit: the time says nothing of which key
        }
        if (!match) {
            throw presented == null ? new ApiException(ErrorCode.BAD_ADMIN_KEY, "X-Admin-Key is required")
                    : new ApiException(ErrorCode.BAD_ADMIN_KEY);
        }
    }
}
