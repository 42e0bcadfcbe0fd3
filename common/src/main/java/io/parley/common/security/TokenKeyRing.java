package io.parley.common.security;

import io.parley.common.config.TokenConfig;
import io.parley.common.token.TokenKey;
import io.parley.common.token.TokenKeySet;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The token keys this service holds now. From {@code parley.token.keys-file} (re-read every
 * {@code keys-reload-interval}, so keys rotate without a restart: a mounted Secret changes under the pod), else
 * {@code parley.token.keys}, else the single {@code parley.token.key}. A file that becomes unreadable or invalid
 * leaves the last good set in place (and says so in the log): a typo must not log everyone out.
 */
@ApplicationScoped
public class TokenKeyRing implements Supplier<TokenKeySet> {

    private static final Logger LOG = Logger.getLogger(TokenKeyRing.class);

    private final TokenConfig config;
    private final Vertx vertx;
    private final Path file;
    private final Duration longestTtl;
    private volatile TokenKeySet current;
    private volatile String lastText;
    private volatile String lastProblem;
    private long timer = -1;

    public TokenKeyRing(TokenConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
        this.file = config.keysFile().filter(f -> !f.isBlank()).map(Path::of).orElse(null);
        Duration access = config.accessTtl();
        this.longestTtl = access.compareTo(config.appTokenTtl()) >= 0 ? access : config.appTokenTtl();
        this.current = initial();
    }

    private TokenKeySet initial() {
        if (file != null) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("token key set file " + file + " is not readable: " + e.getMessage());
            }
            lastText = text;
            return checked(text, "token key set file " + file);
        }
        if (config.keys().filter(k -> !k.isBlank()).isPresent()) {
            return checked(config.keys().get(), "parley.token.keys (PARLEY_TOKEN_KEYS)");
        }
        return TokenKeySet.single(TokenKey.fromBase64(config.key().orElse(null)));
    }

    private TokenKeySet checked(String text, String source) {
        TokenKeySet keys;
        try {
            keys = TokenKeySet.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
        String problem = keys.problemAt(Instant.now());
        if (problem != null) {
            throw new IllegalArgumentException(source + ": " + problem);
        }
        warnOfEarlyRetirement(keys);
        return keys;
    }

    /** A key still sealing within the longest token lifetime before its retirement refuses live tokens early. */
    private void warnOfEarlyRetirement(TokenKeySet keys) {
        for (TokenKeySet.Entry entry : keys.entries()) {
            if (entry.retireAt() == null) {
                continue;
            }
            TokenKeySet.Entry sealer;
            try {
                sealer = keys.sealingKey(entry.retireAt().minus(longestTtl));
            } catch (IllegalStateException e) {
                continue;
            }
            if (sealer == entry) {
                LOG.warnf("token key %s retires at %s but still seals tokens at %s: tokens it seals in its last %s are"
                                + " refused before they expire (give a newer key an activeFrom at least %s before)",
                        entry.kid(), entry.retireAt(), entry.retireAt().minus(longestTtl), longestTtl, longestTtl);
            }
        }
    }

    @Override
    public TokenKeySet get() {
        return current;
    }

    void start(@Observes StartupEvent event) {
        if (file != null) {
            timer = vertx.setPeriodic(Math.max(100, config.keysReloadInterval().toMillis()), id -> reload());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    /** Re-reads the file off the event loop (a file system call); replaces the set when the text changed and is good. */
    void reload() {
        vertx.executeBlocking(() -> Files.readString(file, StandardCharsets.UTF_8), false)
                .onSuccess(this::apply)
                .onFailure(e -> problem("token key set file " + file + " is not readable (" + e.getMessage()
                        + "); keeping the keys read before"));
    }

    private void apply(String text) {
        if (Objects.equals(text, lastText)) {
            return;
        }
        TokenKeySet keys;
        try {
            keys = checked(text, "token key set file " + file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            problem(e.getMessage() + "; keeping the keys read before");
            return;
        }
        current = keys;
        lastText = text;
        lastProblem = null;
        LOG.infof("token key set reloaded from %s: %d keys, sealing with %s", file, keys.entries().size(),
                keys.sealingKey(Instant.now()).kid());
    }

    /** Logged once per distinct problem: the file is re-read every few seconds. */
    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            LOG.error(message);
        }
    }
}
