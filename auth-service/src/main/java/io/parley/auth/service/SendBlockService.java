package io.parley.auth.service;

import io.parley.auth.config.AuthConfig;
import io.parley.auth.redis.RedisScripts;
import io.parley.auth.repository.UserEntity;
import io.parley.auth.repository.UserRepository;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.redis.SharedKeys;
import io.parley.common.thread.BackgroundLoop;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Users the operator blocked from sending. MySQL keeps the block (DESIGN §3.11: what is kept never depends on Redis
 * keeping its data); Redis holds the copy chat-service reads ({@link SharedKeys#SEND_BLOCKED}), and every change is
 * announced on {@link SharedKeys#SEND_BLOCKS_CHANNEL} in the same step, so every chat node refuses the user's next
 * send at once. A background round puts the Redis copy back in line with MySQL (after Redis lost its data) every
 * {@code resync-interval}, and tells chat nodes to read it again when it changed something.
 */
@ApplicationScoped
public class SendBlockService {

    private static final Logger LOG = Logger.getLogger(SendBlockService.class);

    private final UserRepository users;
    private final RedisDataSource redis;
    private final Clock clock = Clock.systemUTC();
    private final BackgroundLoop resync;

    public SendBlockService(UserRepository users, RedisDataSource redis, AuthConfig config) {
        Duration resyncInterval = config.adminApi().blockResyncInterval();
        this.users = users;
        this.redis = redis;
        this.resync = new BackgroundLoop("send-block-resync", "send-block resync", LOG, () -> {
            resync();
            return false;
        }).idle(resyncInterval);
    }

    void start(@Observes StartupEvent event) {
        resync.start();
    }

    void stop(@Observes ShutdownEvent event) {
        resync.stop(Duration.ofSeconds(2));
    }

    /** Blocks or unblocks; 404 for an unknown or deleted user. Idempotent. */
    public boolean setBlocked(long userId, boolean blocked) {
        QuarkusTransaction.requiringNew().run(() -> {
            UserEntity user = users.findById(userId);
            if (user == null || user.isDeleted()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no user " + userId);
            }
            if (blocked && user.sendBlockedAt == null) {
                user.sendBlockedAt = clock.instant();
            } else if (!blocked) {
                user.sendBlockedAt = null;
            }
        });
        RedisScripts.SEND_BLOCK.run(redis, List.of(SharedKeys.SEND_BLOCKED), SharedKeys.SEND_BLOCKS_CHANNEL,
                Long.toString(userId), blocked ? "1" : "0");
        return blocked;
    }

    /** Whether the user is blocked (MySQL's word); 404 for an unknown or deleted user. */
    public boolean isBlocked(long userId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            UserEntity user = users.findById(userId);
            if (user == null || user.isDeleted()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no user " + userId);
            }
            return user.sendBlockedAt != null;
        });
    }

    /**
     * Makes the Redis copy equal to MySQL; announces a reload when anything had to change. Redis is read before
     * MySQL: a block or unblock in between then makes this round repeat what it already did, never undo it.
     */
    void resync() {
        Set<String> copied = redis.set(String.class).smembers(SharedKeys.SEND_BLOCKED);
        Set<String> kept = QuarkusTransaction.requiringNew().call(() -> users.getEntityManager()
                .createQuery("select u.id from UserEntity u where u.sendBlockedAt is not null", Long.class)
                .getResultList().stream().map(String::valueOf).collect(Collectors.toSet()));
        Set<String> missing = new HashSet<>(kept);
        missing.removeAll(copied);
        Set<String> stale = new HashSet<>(copied);
        stale.removeAll(kept);
        if (missing.isEmpty() && stale.isEmpty()) {
            return;
        }
        if (!missing.isEmpty()) {
            redis.set(String.class).sadd(SharedKeys.SEND_BLOCKED, missing.toArray(String[]::new));
        }
        if (!stale.isEmpty()) {
            redis.set(String.class).srem(SharedKeys.SEND_BLOCKED, stale.toArray(String[]::new));
        }
        redis.pubsub(String.class).publish(SharedKeys.SEND_BLOCKS_CHANNEL, SharedKeys.SEND_BLOCKS_RELOAD);
        LOG.infof("send blocks resynced to Redis: %d added, %d removed", missing.size(), stale.size());
    }
}
