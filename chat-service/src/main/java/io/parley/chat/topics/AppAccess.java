package io.parley.chat.topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.fanout.Publisher;
import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.transactions.TransactionResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Who may subscribe to an app's topics: the app decides, with its app token — every signed-in user (a public
 * app) or the users it granted. An app's topics are invisible to everyone else.
 *
 * <p>MySQL ({@link AppAccessRepository}) keeps the access; Redis holds the hot copy the subscribe path reads. The
 * {@link RedisKeys#appPublic} key doubles as the copy's marker: {@value #PUBLIC} or {@value #PRIVATE} when the copy
 * (flag and grants set) is loaded, absent when Redis lost it (or never had it), {@code L<token>} while one node
 * loads it. A change writes MySQL first, then Redis; a load that a change overtook is abandoned (the change deletes
 * the loading marker, and the load commits only if its marker is still there), so a revoked grant never comes back
 * from a stale read.
 */
@ApplicationScoped
public class AppAccess {

    private static final Logger LOG = Logger.getLogger(AppAccess.class);
    private static final String EVERYONE = "*";
    static final String PUBLIC = "1";
    static final String PRIVATE = "0";
    private static final String LOADING = "L";
    /** A loading marker outlives a node that died while loading by at most this long. */
    private static final String LOADING_TTL_MS = "30000";
    /** Members per SADD while loading the grants set. */
    private static final int LOAD_CHUNK = 1000;

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource redis;
    private final AppAccessRepository repository;
    private final Publisher publisher;
    private final Counter rebuilds;
    private final Counter abandonedRebuilds;

    public AppAccess(ReactiveRedisDataSource reactive, RedisDataSource redis, AppAccessRepository repository,
                     MeterRegistry metrics, Publisher publisher) {
        this.reactive = reactive;
        this.publisher = publisher;
        this.redis = redis;
        this.repository = repository;
        this.rebuilds = Counter.builder("parley.app.access.rebuilds")
                .description("Apps whose topic access Redis lost (or never held) and got back from MySQL")
                .register(metrics);
        this.abandonedRebuilds = Counter.builder("parley.app.access.rebuilds.abandoned")
                .description("Rebuilds of an app's access overtaken by a change (the next read loads again)")
                .register(metrics);
    }

    /** Whether the user may subscribe to the app's topics. From Redis; on a miss from MySQL (on a worker thread). */
    public Uni<Boolean> maySubscribe(String appId, long user) {
        Uni<String> marker = reactive.value(String.class).get(RedisKeys.appPublic(appId));
        Uni<Boolean> granted = reactive.set(String.class).sismember(RedisKeys.appGrants(appId), Long.toString(user));
        // null: Redis does not hold the app's access (lost, or loading elsewhere)
        Uni<Boolean> hot = Uni.combine().all().unis(marker, granted).with((m, g) -> PUBLIC.equals(m) ? Boolean.TRUE
                : PRIVATE.equals(m) ? Boolean.valueOf(Boolean.TRUE.equals(g)) : null);
        return hot.flatMap(answer -> {
            if (answer != null) {
                return Uni.createFrom().item(answer);
            }
            Context caller = Vertx.currentContext();
            Uni<Boolean> fromMySql = Uni.createFrom().item(() -> {
                AppAccessRepository.Stored stored = rebuild(appId);
                return stored.open() || stored.grants().contains(user);
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            // back on the caller's event loop: what follows touches its connection state
            return caller == null ? fromMySql : fromMySql.emitOn(task -> caller.runOnContext(v -> task.run()));
        });
    }

    public void setPublic(String appId, boolean open) {
        repository.change(appId, () -> legacy(appId), c -> AppAccessRepository.setPublic(c, appId, open));
        String key = RedisKeys.appPublic(appId);
        TransactionResult result = redis.withTransaction(r -> r.value(String.class).get(key), (marker, tx) -> {
            if (PUBLIC.equals(marker) || PRIVATE.equals(marker)) {
                tx.value(String.class).set(key, open ? PUBLIC : PRIVATE);
            } else {
                tx.key().del(key); // absent: nothing to do; loading: that load may predate this change, abandon it
            }
        }, key);
        if (result.discarded()) {
            redis.key().del(key); // raced with a load: the next read loads MySQL, which has this change
        }
        if (!open) {
            withdrawn(appId, EVERYONE);
        }
    }

    /** Blocking. */
    public boolean isPublic(String appId) {
        String marker = redis.value(String.class).get(RedisKeys.appPublic(appId));
        if (PUBLIC.equals(marker) || PRIVATE.equals(marker)) {
            return PUBLIC.equals(marker);
        }
        return rebuild(appId).open();
    }

    public void grant(String appId, Collection<Long> users) {
        if (users.isEmpty()) {
            return;
        }
        repository.change(appId, () -> legacy(appId), c -> AppAccessRepository.grant(c, appId, users));
        abandonLoading(appId);
        redis.set(String.class).sadd(RedisKeys.appGrants(appId), users.stream().map(String::valueOf).toArray(String[]::new));
    }

    public void revoke(String appId, long user) {
        repository.change(appId, () -> legacy(appId), c -> AppAccessRepository.revoke(c, appId, user));
        abandonLoading(appId);
        redis.set(String.class).srem(RedisKeys.appGrants(appId), Long.toString(user));
        withdrawn(appId, Long.toString(user));
    }

    /** A load in progress may have read MySQL before this change: it must not commit what it read. */
    private void abandonLoading(String appId) {
        String marker = redis.value(String.class).get(RedisKeys.appPublic(appId));
        if (marker != null && marker.startsWith(LOADING)) {
            redis.key().del(RedisKeys.appPublic(appId)); // if it committed meanwhile, this only costs a reload
        }
    }

    /**
     * Loads the app's access from MySQL into Redis (unless another node is loading it) and answers what MySQL
     * holds. Blocking.
     */
    AppAccessRepository.Stored rebuild(String appId) {
        repository.adoptIfUnknown(appId, () -> legacy(appId));
        String key = RedisKeys.appPublic(appId);
        String token = LOADING + UUID.randomUUID();
        boolean mine = redis.execute("SET", key, token, "NX", "PX", LOADING_TTL_MS) != null;
        AppAccessRepository.Stored stored = repository.load(appId);
        if (!mine) {
            return stored; // loaded meanwhile, or someone else is loading: answer from MySQL
        }
        String grantsKey = RedisKeys.appGrants(appId);
        TransactionResult result = redis.withTransaction(r -> token.equals(r.value(String.class).get(key)), (stillMine, tx) -> {
            if (!stillMine) {
                tx.discard();
                return;
            }
            tx.key().del(grantsKey);
            List<Long> grants = stored.grants();
            for (int from = 0; from < grants.size(); from += LOAD_CHUNK) {
                tx.set(String.class).sadd(grantsKey, grants.subList(from, Math.min(grants.size(), from + LOAD_CHUNK))
                        .stream().map(String::valueOf).toArray(String[]::new));
            }
            tx.value(String.class).set(key, stored.open() ? PUBLIC : PRIVATE);
        }, key);
        if (result.discarded()) {
            abandonedRebuilds.increment();
        } else {
            rebuilds.increment();
            LOG.infof("app %s: topic access rebuilt in Redis from MySQL (%s, %d grants)", appId,
                    stored.open() ? "public" : "private", stored.grants().size());
        }
        return stored;
    }

    /** What Redis holds of an app MySQL does not know yet (kept before access was written to MySQL). */
    private AppAccessRepository.Legacy legacy(String appId) {
        String marker = redis.value(String.class).get(RedisKeys.appPublic(appId));
        Set<Long> grants = new HashSet<>();
        for (String member : redis.set(String.class).smembers(RedisKeys.appGrants(appId))) {
            grants.add(Long.parseLong(member));
        }
        return new AppAccessRepository.Legacy(PUBLIC.equals(marker), grants);
    }

    /** Tells every node: subscribers of the app's topics (all, or one user's) are checked again at once. */
    private void withdrawn(String appId, String who) {
        publisher.publish(RedisKeys.APP_ACCESS_CHANNEL, appId + " " + who).await().indefinitely(); // a blocking caller
    }

    /** An announcement on {@link RedisKeys#APP_ACCESS_CHANNEL}: the app, and the user or {@code null} for all. */
    public record Withdrawal(String appId, Long user) {

        static Withdrawal parse(String payload) {
            int space = payload.indexOf(' ');
            if (space <= 0) {
                return null;
            }
            String who = payload.substring(space + 1);
            try {
                return new Withdrawal(payload.substring(0, space), EVERYONE.equals(who) ? null : Long.valueOf(who));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        boolean concerns(long user) {
            return this.user == null || this.user == user;
        }
    }

    /** Blocking. */
    public long grantCount(String appId) {
        AppAccessRepository.Stored loaded = ensureLoaded(appId);
        return loaded != null ? loaded.grants().size() : redis.set(String.class).scard(RedisKeys.appGrants(appId));
    }

    /** {@code null} when Redis holds the app's access; otherwise what MySQL holds (also loaded into Redis). */
    private AppAccessRepository.Stored ensureLoaded(String appId) {
        String marker = redis.value(String.class).get(RedisKeys.appPublic(appId));
        return PUBLIC.equals(marker) || PRIVATE.equals(marker) ? null : rebuild(appId);
    }

    /** One page of granted users and the cursor of the next ({@code "0"}: done). */
    public record GrantsPage(List<Long> users, String cursor) {
    }

    /**
     * One {@code SSCAN} step over the app's grants from {@code cursor} (a Redis cursor, {@code "0"} to start), asking
     * for about {@code count} users: order unspecified, a user may come twice across pages (Redis' guarantees).
     */
    public GrantsPage grantsPage(String appId, String cursor, int count) {
        ensureLoaded(appId);
        Response reply = redis.execute("SSCAN", RedisKeys.appGrants(appId), cursor, "COUNT", Integer.toString(count));
        Response members = reply.get(1);
        List<Long> users = new ArrayList<>(members.size());
        for (Response member : members) {
            users.add(Long.parseLong(member.toString()));
        }
        return new GrantsPage(users, reply.get(0).toString());
    }
}
