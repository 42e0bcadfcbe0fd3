package io.parley.chat.store;

import io.parley.chat.protocol.ConversationId;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Redis caches of group membership ({@link GroupRepository} holds the truth): a group's members
 * ({@link RedisKeys#members}, read by the append script) and a user's groups ({@link RedisKeys#userGroups}, read on
 * connect and sync). A cache is changed only when loaded (it holds {@link RedisKeys#LOADED_MARKER};
 * {@code membership_change.lua}); a missing one is rebuilt from the truth by its next reader
 * ({@code membership_load.lua}), guarded by a version key that every change bumps, so a change that commits during
 * a rebuild is never lost. Blocking unless a method returns {@code Uni}.
 */
@ApplicationScoped
public class GroupMembershipCache {

    private static final RedisScript CHANGE = RedisScript.load("membership_change");
    private static final RedisScript LOAD = RedisScript.load("membership_load");
    private static final int LOAD_ATTEMPTS = 3;

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactiveRedis;

    private final RedisPipeline pipeline;

    public GroupMembershipCache(RedisDataSource redis, ReactiveRedisDataSource reactiveRedis, RedisPipeline pipeline) {
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.pipeline = pipeline;
    }

    // ---------------------------------------------------------------- a group's members

    /** The member cache's version now: read before a MySQL change, so a load after it is refused if anything came between. */
    public String membersVersion(String gid) {
        return redis.value(String.class).get(RedisKeys.membersVersion(conversation(gid)));
    }

    /** Loads the member cache unless its version moved past {@code version}; whether it was written. */
    public boolean loadMembers(String gid, String version, Collection<String> members) {
        String cid = conversation(gid);
        return load(RedisKeys.members(cid), RedisKeys.membersVersion(cid), version, members);
    }

    /**
     * Rebuilds the member cache from {@code truth} (empty: no such group), retrying while changes race the
     * rebuild — after that it is left unloaded and the next reader tries again. {@code false} if there is no group.
     */
    public boolean rebuildMembers(String gid, Supplier<Optional<List<String>>> truth) {
        for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
            String version = membersVersion(gid);
            Optional<List<String>> members = truth.get();
            if (members.isEmpty()) {
                return false;
            }
            if (loadMembers(gid, version, members.get())) {
                return true;
            }
        }
        return true;
    }

    /** {@code op} is {@code add} or {@code remove}; a cache that is not loaded is left alone (its version bumped). */
    public void changeMember(String gid, String op, long user) {
        String cid = conversation(gid);
        CHANGE.run(redis, List.of(RedisKeys.members(cid), RedisKeys.membersVersion(cid)), op, Long.toString(user));
    }

    /** From the member cache: whether the user is a member, or empty if the cache is not loaded. */
    public Optional<Boolean> cachedIsMember(String gid, long user) {
        List<Boolean> answer = redis.set(String.class)
                .smismember(RedisKeys.members(conversation(gid)), Long.toString(user), RedisKeys.LOADED_MARKER);
        return answer.get(1) ? Optional.of(answer.get(0)) : Optional.empty();
    }

    // ---------------------------------------------------------------- a user's groups

    /**
     * The user's groups from the cache, or {@code null} if it is not loaded. Does not block. On the caller's pipelined
     * connection: every upgrade asks this.
     */
    public Uni<Set<String>> cachedGroupsOf(long user) {
        return pipeline.uni("SMEMBERS", RedisKeys.userGroups(user)).map(reply -> {
            Set<String> members = new LinkedHashSet<>();
            if (reply != null) {
                for (io.vertx.redis.client.Response member : reply) {
                    members.add(member.toString());
                }
            }
            return loaded(members);
        });
    }

    /** {@link #cachedGroupsOf}, blocking. */
    public Set<String> cachedGroupsOfBlocking(long user) {
        return loaded(redis.set(String.class).smembers(RedisKeys.userGroups(user)));
    }

    /** Rebuilds the user's group cache from {@code truth}, retrying while changes race the rebuild; the groups read last. */
    public Set<String> rebuildGroupsOf(long user, Supplier<Set<String>> truth) {
        Set<String> groups = Set.of();
        for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
            String version = redis.value(String.class).get(RedisKeys.userGroupsVersion(user));
            groups = truth.get();
            if (load(RedisKeys.userGroups(user), RedisKeys.userGroupsVersion(user), version, groups)) {
                break;
            }
        }
        return groups;
    }

    /** Changes each user's group cache ({@code op}: {@code add} or {@code remove}), a window of commands at a time. */
    public void changeGroupsOf(Collection<Long> users, String gid, String op) {
        RedisWindows.run(List.copyOf(users), user -> CHANGE.run(reactiveRedis,
                List.of(RedisKeys.userGroups(user), RedisKeys.userGroupsVersion(user)), List.of(op, gid)));
    }

    // ---------------------------------------------------------------- both

    /**
     * Drops the group's member cache and the users' group caches (the next readers rebuild them): for when a change
     * committed in MySQL could not be applied here. One key at a time: on Redis Cluster they live in different slots.
     */
    public void drop(String gid, Collection<Long> users) {
        redis.key(String.class).del(RedisKeys.members(conversation(gid)));
        for (long user : users) {
            redis.key(String.class).del(RedisKeys.userGroups(user));
        }
    }

    private boolean load(String setKey, String versionKey, String version, Collection<String> members) {
        List<String> args = new ArrayList<>(members.size() + 1);
        args.add(version == null ? "" : version);
        args.addAll(members);
        Response written = LOAD.run(redis, List.of(setKey, versionKey), args.toArray(String[]::new));
        return written != null && written.toInteger() == 1;
    }

    private static Set<String> loaded(Set<String> cached) {
        if (!cached.contains(RedisKeys.LOADED_MARKER)) {
            return null;
        }
        Set<String> groups = new LinkedHashSet<>(cached);
        groups.remove(RedisKeys.LOADED_MARKER);
        return groups;
    }

    private static String conversation(String gid) {
        return ConversationId.group(gid).value();
    }
}
