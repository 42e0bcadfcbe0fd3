package io.parley.chat.service;

import io.agroal.api.AgroalDataSource;
import io.parley.chat.client.IdAllocation;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.protocol.GroupIds;
import io.parley.chat.protocol.UserIds;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.Transactions;
import io.parley.chat.store.RedisWindows;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Groups and their members. MySQL ({@code chat_groups}, {@code group_members}) is the truth; Redis holds two
 * caches of it — a group's members ({@link RedisKeys#members}, read by the append script) and a user's groups
 * ({@link RedisKeys#userGroups}, read on connect and sync). Both are changed only after the MySQL commit, and only
 * when loaded (they hold {@link RedisKeys#LOADED_MARKER}); a missing cache is rebuilt from MySQL by its next
 * reader, guarded by a version key so a change that commits during a rebuild is never lost. Membership changes
 * are announced on the affected user's channel ({@link Envelope#GROUP_JOINED} / {@link Envelope#GROUP_LEFT}) so
 * the nodes holding that user's connections follow the group's channel.
 *
 * <p>Methods returning plain values block (JDBC, Redis): worker threads only. Methods returning {@code Uni} do
 * not block the caller's thread; they may run their MySQL part on a worker and then complete on the caller's
 * Vert.x context.
 */
@ApplicationScoped
public class GroupService {

    private static final Logger LOG = Logger.getLogger(GroupService.class);
    private static final RedisScript CHANGE = RedisScript.load("membership_change");
    private static final RedisScript LOAD = RedisScript.load("membership_load");
    private static final int MAX_NAME_CHARS = 100;
    private static final int LOAD_ATTEMPTS = 3;
    private static final Duration REDIS_WAIT = Duration.ofSeconds(10);

    /** A group as answered to its creator. */
    public record Group(String id, String name, List<Long> members) {
    }

    /** What a conversation list shows of a group. */
    public record GroupInfo(String id, String name, long createdAt) {
    }

    private final AgroalDataSource db;
    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactiveRedis;
    private final IdAllocation ids;
    private final int maxMembers;

    public GroupService(AgroalDataSource db, RedisDataSource redis, ReactiveRedisDataSource reactiveRedis,
                        IdAllocation ids, ChatConfig config) {
        this.db = db;
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.ids = ids;
        this.maxMembers = config.limits().maxGroupMembers();
    }

    // ---------------------------------------------------------------- changes (blocking)

    /** Creates a group owned by {@code creator}, who is always a member (first); other ids are de-duplicated. */
    public Group create(long creator, String name, List<Long> members) {
        String groupName = name == null ? "" : name.strip();
        if (groupName.isEmpty() || groupName.length() > MAX_NAME_CHARS) {
            throw ApiException.invalid("name must be 1 to " + MAX_NAME_CHARS + " characters");
        }
        LinkedHashSet<Long> all = new LinkedHashSet<>();
        all.add(creator);
        if (members != null) {
            for (Long member : members) {
                if (member == null || !UserIds.valid(member)) {
                    throw ApiException.invalid("members must be user ids (positive integers of at most 10 digits)");
                }
                all.add(member);
            }
        }
        if (all.size() > maxMembers) {
            throw ApiException.invalid("a group has 1 to " + maxMembers + " members, creator included; asked for " + all.size());
        }
        String gid = Long.toString(nextGroupSequence());
        String cid = ConversationId.group(gid).value();
        // read before the commit: if anything changes the group after it, the cache write below is refused
        String version = redis.value(String.class).get(RedisKeys.membersVersion(cid));
        inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO chat_groups (id, name, owner) VALUES (?, ?, ?)")) {
                insert.setString(1, gid);
                insert.setString(2, groupName);
                insert.setLong(3, creator);
                insert.executeUpdate();
            }
            insertMembers(connection, gid, all);
            return null;
        });
        List<String> memberTexts = all.stream().map(String::valueOf).toList();
        List<String> touched = new ArrayList<>(all.size() + 1);
        touched.add(RedisKeys.members(cid));
        all.forEach(member -> touched.add(RedisKeys.userGroups(member)));
        afterCommit("create group " + gid, touched, () -> {
            List<String> args = new ArrayList<>(memberTexts.size() + 1);
            args.add(version == null ? "" : version);
            args.addAll(memberTexts);
            LOAD.run(redis, List.of(RedisKeys.members(cid), RedisKeys.membersVersion(cid)), args.toArray(String[]::new));
            announce(all, gid, "add", Envelope.GROUP_JOINED);
        });
        return new Group(gid, groupName, List.copyOf(all));
    }

    /**
     * Adds {@code user} to the group; {@code caller} must be a member. Idempotent: adding a member again changes
     * nothing. 404 unknown group, 403 caller not a member, 409 group full.
     */
    public void addMember(long caller, String gid, long user) {
        requireGroupId(gid);
        if (!UserIds.valid(user)) {
            throw ApiException.invalid("user must be a user id (a positive integer of at most 10 digits)");
        }
        boolean added = inTransaction(connection -> {
            if (lockGroupOwner(connection, gid) == null) {
                throw ApiException.notFound("no group " + gid);
            }
            if (!isMemberInDb(connection, gid, caller)) {
                throw new ApiException(ErrorCode.FORBIDDEN, "only members of group " + gid + " may add members");
            }
            if (isMemberInDb(connection, gid, user)) {
                return false;
            }
            if (countMembers(connection, gid) >= maxMembers) {
                throw new ApiException(ErrorCode.CONFLICT, "group " + gid + " is full (" + maxMembers + " members)");
            }
            insertMembers(connection, gid, List.of(user));
            return true;
        });
        if (added) {
            String cid = ConversationId.group(gid).value();
            afterCommit("add " + user + " to group " + gid, List.of(RedisKeys.members(cid), RedisKeys.userGroups(user)), () -> {
                CHANGE.run(redis, List.of(RedisKeys.members(cid), RedisKeys.membersVersion(cid)), "add", Long.toString(user));
                announce(List.of(user), gid, "add", Envelope.GROUP_JOINED);
            });
        }
    }

    /**
     * Removes {@code user} from the group. The owner may remove anyone; a member may remove themself. When the
     * owner leaves, the longest-standing remaining member becomes the owner. Removing a non-member (as the owner)
     * changes nothing. 404 unknown group, 403 otherwise not allowed.
     */
    public void removeMember(long caller, String gid, long user) {
        requireGroupId(gid);
        if (!UserIds.valid(user)) {
            throw ApiException.invalid("user must be a user id (a positive integer of at most 10 digits)");
        }
        boolean removed = inTransaction(connection -> {
            Long owner = lockGroupOwner(connection, gid);
            if (owner == null) {
                throw ApiException.notFound("no group " + gid);
            }
            boolean allowed = caller == owner || (caller == user && isMemberInDb(connection, gid, caller));
            if (!allowed) {
                throw new ApiException(ErrorCode.FORBIDDEN,
                        "only the owner of group " + gid + " may remove others; members may remove themselves");
            }
            int rows;
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?")) {
                delete.setString(1, gid);
                delete.setLong(2, user);
                rows = delete.executeUpdate();
            }
            if (rows > 0 && user == owner) {
                handOverOwnership(connection, gid);
            }
            return rows > 0;
        });
        if (removed) {
            String cid = ConversationId.group(gid).value();
            afterCommit("remove " + user + " from group " + gid, List.of(RedisKeys.members(cid), RedisKeys.userGroups(user)), () -> {
                CHANGE.run(redis, List.of(RedisKeys.members(cid), RedisKeys.membersVersion(cid)), "remove", Long.toString(user));
                announce(List.of(user), gid, "remove", Envelope.GROUP_LEFT);
            });
        }
    }

    // ---------------------------------------------------------------- reads and cache rebuilds

    /**
     * The user's group ids, from the Redis cache; rebuilt from MySQL when the cache is not loaded. Does not block
     * the caller; completes on the caller's Vert.x context (if it has one).
     */
    public Uni<Set<String>> groupsOf(long user) {
        return reactiveRedis.set(String.class).smembers(RedisKeys.userGroups(user)).flatMap(cached -> {
            if (cached.contains(RedisKeys.LOADED_MARKER)) {
                Set<String> groups = new LinkedHashSet<>(cached);
                groups.remove(RedisKeys.LOADED_MARKER);
                return Uni.createFrom().item(groups);
            }
            return offload(() -> loadUserGroups(user));
        });
    }

    /** {@link #groupsOf(long)}, blocking. */
    public Set<String> groupsOfBlocking(long user) {
        Set<String> cached = redis.set(String.class).smembers(RedisKeys.userGroups(user));
        if (cached.contains(RedisKeys.LOADED_MARKER)) {
            Set<String> groups = new LinkedHashSet<>(cached);
            groups.remove(RedisKeys.LOADED_MARKER);
            return groups;
        }
        return loadUserGroups(user);
    }

    /**
     * Rebuilds the group's member cache ({@link RedisKeys#members} of {@code g:<gid>}) from MySQL — for when the
     * append script answered {@code no-members}. Completes with {@code false} if the group does not exist.
     */
    public Uni<Boolean> reloadMembersCache(String gid) {
        return offload(() -> reloadMembersCacheBlocking(gid));
    }

    /** {@link #reloadMembersCache(String)}, blocking. */
    public boolean reloadMembersCacheBlocking(String gid) {
        if (!GroupIds.valid(gid)) {
            return false;
        }
        String cid = ConversationId.group(gid).value();
        for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
            String version = redis.value(String.class).get(RedisKeys.membersVersion(cid));
            List<String> members = new ArrayList<>();
            boolean exists = inTransaction(connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM chat_groups WHERE id = ?")) {
                    select.setString(1, gid);
                    try (ResultSet rows = select.executeQuery()) {
                        if (!rows.next()) {
                            return false;
                        }
                    }
                }
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT user_id FROM group_members WHERE group_id = ?")) {
                    select.setString(1, gid);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            members.add(Long.toString(rows.getLong(1)));
                        }
                    }
                }
                return true;
            });
            if (!exists) {
                return false;
            }
            if (load(RedisKeys.members(cid), RedisKeys.membersVersion(cid), version, members)) {
                return true;
            }
        }
        // changes keep racing the rebuild: leave the cache unloaded; the next reader tries again
        return true;
    }

    /** Whether {@code user} is a member of the group (from the member cache, rebuilt if needed). Blocking. */
    public boolean isMember(String gid, long user) {
        if (!GroupIds.valid(gid)) {
            return false;
        }
        String cid = ConversationId.group(gid).value();
        for (int attempt = 0; attempt < 2; attempt++) {
            List<Boolean> answer = redis.set(String.class)
                    .smismember(RedisKeys.members(cid), Long.toString(user), RedisKeys.LOADED_MARKER);
            if (answer.get(1)) {
                return answer.get(0);
            }
            if (!reloadMembersCacheBlocking(gid)) {
                return false;
            }
        }
        return inTransaction(connection -> isMemberInDb(connection, gid, user));
    }

    /** Names and creation times of the given groups (those that exist). Blocking. */
    public Map<String, GroupInfo> describe(Collection<String> gids) {
        if (gids.isEmpty()) {
            return Map.of();
        }
        List<String> list = List.copyOf(gids);
        return inTransaction(connection -> {
            Map<String, GroupInfo> out = new HashMap<>();
            String marks = String.join(", ", Collections.nCopies(list.size(), "?"));
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, name, created_at FROM chat_groups WHERE id IN (" + marks + ")")) {
                for (int i = 0; i < list.size(); i++) {
                    select.setString(i + 1, list.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String id = rows.getString(1);
                        out.put(id, new GroupInfo(id, rows.getString(2), rows.getTimestamp(3).getTime()));
                    }
                }
            }
            return out;
        });
    }

    private Set<String> loadUserGroups(long user) {
        Set<String> groups = new LinkedHashSet<>();
        for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
            String version = redis.value(String.class).get(RedisKeys.userGroupsVersion(user));
            groups.clear();
            inTransaction(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT group_id FROM group_members WHERE user_id = ?")) {
                    select.setLong(1, user);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            groups.add(rows.getString(1));
                        }
                    }
                }
                return null;
            });
            if (load(RedisKeys.userGroups(user), RedisKeys.userGroupsVersion(user), version, groups)) {
                break;
            }
        }
        return groups;
    }

    private boolean load(String setKey, String versionKey, String version, Collection<String> members) {
        List<String> args = new ArrayList<>(members.size() + 1);
        args.add(version == null ? "" : version);
        args.addAll(members);
        Response written = LOAD.run(redis, List.of(setKey, versionKey), args.toArray(String[]::new));
        return written != null && written.toInteger() == 1;
    }

    // ---------------------------------------------------------------- helpers

    private long nextGroupSequence() {
        try {
            return ids.nextSequence().await().atMost(REDIS_WAIT);
        } catch (RuntimeException e) {
            LOG.warnf("no group id: id-service unreachable (%s)", e.getMessage());
            throw new ApiException(ErrorCode.UNAVAILABLE, "cannot allocate a group id right now; retry later");
        }
    }

    /** Updates every affected user's group cache and tells their nodes, a window of commands at a time. */
    private void announce(Collection<Long> users, String gid, String op, String verb) {
        String notice = Envelope.control(verb, gid);
        List<Long> affected = List.copyOf(users);
        RedisWindows.run(affected, user -> CHANGE.run(reactiveRedis,
                List.of(RedisKeys.userGroups(user), RedisKeys.userGroupsVersion(user)), List.of(op, gid)));
        // notices only after every cache is updated: a node that reacts by reading the cache sees the change
        RedisWindows.run(affected, user -> reactiveRedis.pubsub(String.class).publish(RedisKeys.userChannel(user), notice));
    }

    /**
     * Redis work after a MySQL commit. The commit stands either way; if Redis fails here its caches may be stale,
     * so they are dropped (the next reader rebuilds them from MySQL) — best effort, logged.
     */
    private void afterCommit(String what, List<String> cacheKeys, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.errorf("%s: committed in MySQL but Redis was not updated (%s); dropping the caches it touches",
                    what, e.getMessage());
            try {
                for (String key : cacheKeys) {
                    redis.key(String.class).del(key); // one by one: on Redis Cluster they live in different slots
                }
            } catch (RuntimeException again) {
                LOG.errorf("%s: could not drop %s either (%s)", what, cacheKeys, again.getMessage());
            }
        }
    }

    private static Long lockGroupOwner(Connection connection, String gid) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT owner FROM chat_groups WHERE id = ? FOR UPDATE")) {
            select.setString(1, gid);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : null;
            }
        }
    }

    private static boolean isMemberInDb(Connection connection, String gid, long user) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?")) {
            select.setString(1, gid);
            select.setLong(2, user);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static long countMembers(Connection connection, String gid) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM group_members WHERE group_id = ?")) {
            select.setString(1, gid);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void insertMembers(Connection connection, String gid, Collection<Long> users) throws SQLException {
        List<Long> list = List.copyOf(users);
        for (int from = 0; from < list.size(); from += 1000) {
            List<Long> chunk = list.subList(from, Math.min(list.size(), from + 1000));
            String rows = String.join(", ", Collections.nCopies(chunk.size(), "(?, ?)"));
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO group_members (group_id, user_id) VALUES " + rows)) {
                int p = 1;
                for (long user : chunk) {
                    insert.setString(p++, gid);
                    insert.setLong(p++, user);
                }
                insert.executeUpdate();
            }
        }
    }

    private static void handOverOwnership(Connection connection, String gid) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id LIMIT 1")) {
            select.setString(1, gid);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return; // the group is empty; it keeps its last owner
                }
                try (PreparedStatement update = connection.prepareStatement("UPDATE chat_groups SET owner = ? WHERE id = ?")) {
                    update.setLong(1, rows.getLong(1));
                    update.setString(2, gid);
                    update.executeUpdate();
                }
            }
        }
    }

    private static void requireGroupId(String gid) {
        if (!GroupIds.valid(gid)) {
            throw new ApiException(ErrorCode.INVALID_ID, "not a group id: a decimal number of at most 19 digits");
        }
    }


    /** Runs {@code work} in one MySQL transaction (committed unless it throws). */
    private <T> T inTransaction(Transactions.SqlWork<T> work) {
        return Transactions.inTransaction(db, work, e -> new IllegalStateException("group store failed: " + e.getMessage(), e));
    }

    /** Runs blocking work on a worker thread and completes on the caller's Vert.x context, if any. */
    private static <T> Uni<T> offload(Supplier<T> work) {
        Context context = Vertx.currentContext();
        Uni<T> uni = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? uni : uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
}
