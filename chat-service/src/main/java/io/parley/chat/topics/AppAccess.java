package io.parley.chat.topics;

import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Who may subscribe to an app's topics: the app decides, with its app token — every signed-in user (a public
 * app) or the users it granted. An app's topics are invisible to everyone else.
 */
@ApplicationScoped
public class AppAccess {

    private static final String EVERYONE = "*";

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource redis;

    public AppAccess(ReactiveRedisDataSource reactive, RedisDataSource redis) {
        this.reactive = reactive;
        this.redis = redis;
    }

    public Uni<Boolean> maySubscribe(String appId, long user) {
        Uni<String> open = reactive.value(String.class).get(RedisKeys.appPublic(appId));
        Uni<Boolean> granted = reactive.set(String.class).sismember(RedisKeys.appGrants(appId), Long.toString(user));
        return Uni.combine().all().unis(open, granted).with((o, g) -> "1".equals(o) || Boolean.TRUE.equals(g));
    }

    public void setPublic(String appId, boolean open) {
        if (open) {
            redis.value(String.class).set(RedisKeys.appPublic(appId), "1");
        } else {
            redis.key().del(RedisKeys.appPublic(appId));
            withdrawn(appId, EVERYONE);
        }
    }

    public boolean isPublic(String appId) {
        return "1".equals(redis.value(String.class).get(RedisKeys.appPublic(appId)));
    }

    public void grant(String appId, Collection<Long> users) {
        if (!users.isEmpty()) {
            redis.set(String.class).sadd(RedisKeys.appGrants(appId), users.stream().map(String::valueOf).toArray(String[]::new));
        }
    }

    public void revoke(String appId, long user) {
        redis.set(String.class).srem(RedisKeys.appGrants(appId), Long.toString(user));
        withdrawn(appId, Long.toString(user));
    }

    /** Tells every node: subscribers of the app's topics (all, or one user's) are checked again at once. */
    private void withdrawn(String appId, String who) {
        redis.pubsub(String.class).publish(RedisKeys.APP_ACCESS_CHANNEL, appId + " " + who);
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

    public long grantCount(String appId) {
        return redis.set(String.class).scard(RedisKeys.appGrants(appId));
    }

    /** One page of granted users and the cursor of the next ({@code "0"}: done). */
    public record GrantsPage(List<Long> users, String cursor) {
    }

    /**
     * One {@code SSCAN} step over the app's grants from {@code cursor} (a Redis cursor, {@code "0"} to start), asking
     * for about {@code count} users: order unspecified, a user may come twice across pages (Redis' guarantees).
     */
    public GrantsPage grantsPage(String appId, String cursor, int count) {
        Response reply = redis.execute("SSCAN", RedisKeys.appGrants(appId), cursor, "COUNT", Integer.toString(count));
        Response members = reply.get(1);
        List<Long> users = new ArrayList<>(members.size());
        for (Response member : members) {
            users.add(Long.parseLong(member.toString()));
        }
        return new GrantsPage(users, reply.get(0).toString());
    }
}
