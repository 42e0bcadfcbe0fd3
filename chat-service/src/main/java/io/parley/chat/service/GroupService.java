package io.parley.chat.service;

import io.parley.chat.client.IdAllocation;
import io.parley.chat.client.UserDirectory;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.fanout.Publisher;
import io.parley.chat.protocol.GroupIds;
import io.parley.chat.protocol.UserIds;
import io.parley.chat.store.GroupMembershipCache;
import io.parley.chat.store.GroupRepository;
import io.parley.chat.store.GroupRepository.GroupDetails;
import io.parley.chat.store.GroupRepository.GroupInfo;
import io.parley.chat.store.GroupRepository.GroupSummary;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.RedisWindows;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Groups and their members: who may change what, and the order of the steps. MySQL ({@link GroupRepository}) is
 * the truth; Redis holds two caches of it ({@link GroupMembershipCache}), changed only after the MySQL commit and
 * rebuilt from MySQL by their next reader when missing. Membership changes are announced on the affected user's
 * channel ({@link Envelope#GROUP_JOINED} / {@link Envelope#GROUP_LEFT}) so the nodes holding that user's
 * connections follow the group's channel.
 *
 * <p>Methods returning plain values block (JDBC, Redis): worker threads only. Methods returning {@code Uni} do
 * not block the caller's thread; they may run their MySQL part on a worker and then complete on the caller's
 * Vert.x context.
 */
@ApplicationScoped
public class GroupService {

    private static final Logger LOG = Logger.getLogger(GroupService.class);
    private static final int MAX_NAME_CHARS = 100;
    private static final Duration ID_WAIT = Duration.ofSeconds(10);
    private static final Duration USER_CHECK_WAIT = Duration.ofSeconds(10);
    /** Missing users named in a 404's message; more are counted. */
    private static final int MISSING_NAMED = 20;

    /** A group as answered to its creator. */
    public record Group(String id, String name, List<Long> members) {
    }

    private final GroupRepository groups;
    private final GroupMembershipCache cache;
    private final Publisher publisher;
    private final IdAllocation ids;
    private final UserDirectory users;
    private final int maxMembers;

    public GroupService(GroupRepository groups, GroupMembershipCache cache,
                        IdAllocation ids, UserDirectory users, ChatConfig config, Publisher publisher) {
        this.groups = groups;
        this.publisher = publisher;
        this.cache = cache;
        this.ids = ids;
        this.users = users;
        this.maxMembers = config.limits().maxGroupMembers();
    }

    // ---------------------------------------------------------------- changes (blocking)

    /**
     * Creates a group owned by {@code creator}, who is always a member (first); other ids are de-duplicated. Every
     * other member must exist (auth-service is asked with the creator's {@code bearerToken}): 404 naming those that
     * do not, and nothing is created.
     */
    public Group create(long creator, String name, List<Long> members, String bearerToken) {
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
        requireExisting(all.stream().filter(member -> member != creator).toList(), bearerToken);
        String gid = Long.toString(nextGroupSequence());
        // read before the commit: if anything changes the group after it, the cache write below is refused
        String version = cache.membersVersion(gid);
        groups.create(gid, groupName, creator, all);
        List<String> memberTexts = all.stream().map(String::valueOf).toList();
        afterCommit("create group " + gid, gid, all, () -> {
            cache.loadMembers(gid, version, memberTexts);
            announce(all, gid, "add", Envelope.GROUP_JOINED);
        });
        return new Group(gid, groupName, List.copyOf(all));
    }

    /**
     * Adds {@code user} to the group; {@code caller} must be a member. Idempotent: adding a member again changes
     * nothing. 404 unknown group or unknown user (auth-service is asked with the caller's {@code bearerToken}),
     * 403 caller not a member, 409 group full.
     */
    public void addMember(long caller, String gid, long user, String bearerToken) {
        requireGroupId(gid);
        if (!UserIds.valid(user)) {
            throw ApiException.invalid("user must be a user id (a positive integer of at most 10 digits)");
        }
        if (user != caller) {
            requireExisting(List.of(user), bearerToken); // before the row lock: no lock is held across a remote call
        }
        boolean added = groups.changeLocked(gid, group -> {
            if (!group.hasMember(caller)) {
                throw new ApiException(ErrorCode.FORBIDDEN, "only members of group " + gid + " may add members");
            }
            if (group.hasMember(user)) {
                return false;
            }
            if (group.memberCount() >= maxMembers) {
                throw new ApiException(ErrorCode.CONFLICT, "group " + gid + " is full (" + maxMembers + " members)");
            }
            group.addMembers(List.of(user));
            return true;
        }).orElseThrow(() -> ApiException.notFound("no group " + gid));
        if (added) {
            afterCommit("add " + user + " to group " + gid, gid, List.of(user), () -> {
                cache.changeMember(gid, "add", user);
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
        boolean removed = groups.changeLocked(gid, group -> {
            boolean allowed = caller == group.owner() || (caller == user && group.hasMember(caller));
            if (!allowed) {
                throw new ApiException(ErrorCode.FORBIDDEN,
                        "only the owner of group " + gid + " may remove others; members may remove themselves");
            }
            boolean wasMember = group.removeMember(user);
            if (wasMember && user == group.owner()) {
                group.handOverOwnership();
            }
            return wasMember;
        }).orElseThrow(() -> ApiException.notFound("no group " + gid));
        if (removed) {
            afterCommit("remove " + user + " from group " + gid, gid, List.of(user), () -> {
                cache.changeMember(gid, "remove", user);
                announce(List.of(user), gid, "remove", Envelope.GROUP_LEFT);
            });
        }
    }

    // ---------------------------------------------------------------- reads and cache rebuilds

    /** The groups {@code user} is a member of, with member counts, newest first (MySQL). Blocking. */
    public List<GroupSummary> summariesOf(long user) {
        return groups.summariesOf(user);
    }

    /** The group with its members, for one of them: 404 unknown group, 403 {@code caller} not a member. Blocking. */
    public GroupDetails details(long caller, String gid) {
        requireGroupId(gid);
        GroupDetails group = groups.details(gid).orElseThrow(() -> ApiException.notFound("no group " + gid));
        if (!group.members().contains(caller)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only members of group " + gid + " may read it");
        }
        return group;
    }

    /**
     * The user's group ids, from the Redis cache; rebuilt from MySQL when the cache is not loaded. Does not block
     * the caller; completes on the caller's Vert.x context (if it has one).
     */
    public Uni<Set<String>> groupsOf(long user) {
        return cache.cachedGroupsOf(user).flatMap(cached -> cached != null
                ? Uni.createFrom().item(cached)
                : offload(() -> cache.rebuildGroupsOf(user, () -> groups.groupsOf(user))));
    }

    /** {@link #groupsOf(long)}, blocking. */
    public Set<String> groupsOfBlocking(long user) {
        Set<String> cached = cache.cachedGroupsOfBlocking(user);
        return cached != null ? cached : cache.rebuildGroupsOf(user, () -> groups.groupsOf(user));
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
        return GroupIds.valid(gid) && cache.rebuildMembers(gid, () -> groups.members(gid));
    }

    /** Whether {@code user} is a member of the group (from the member cache, rebuilt if needed). Blocking. */
    public boolean isMember(String gid, long user) {
        if (!GroupIds.valid(gid)) {
            return false;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Boolean cached = cache.cachedIsMember(gid, user).orElse(null);
            if (cached != null) {
                return cached;
            }
            if (!reloadMembersCacheBlocking(gid)) {
                return false;
            }
        }
        return groups.isMember(gid, user);
    }

    /** Names and creation times of the given groups (those that exist). Blocking. */
    public Map<String, GroupInfo> describe(Collection<String> gids) {
        return groups.describe(gids);
    }

    // ---------------------------------------------------------------- helpers

    private long nextGroupSequence() {
        try {
            return ids.nextSequence().await().atMost(ID_WAIT);
        } catch (RuntimeException e) {
            LOG.warnf("no group id: id-service unreachable (%s)", e.getMessage());
            throw new ApiException(ErrorCode.UNAVAILABLE, "cannot allocate a group id right now; retry later");
        }
    }

    /** 404 naming the users that do not exist (one auth-service call per batch, on this worker thread's wait). */
    private void requireExisting(List<Long> members, String bearerToken) {
        if (members.isEmpty()) {
            return;
        }
        Set<Long> missing;
        try {
            missing = users.missing(members, bearerToken).await().atMost(USER_CHECK_WAIT);
        } catch (RuntimeException e) {
            LOG.warnf("cannot check %d group members: auth-service failed (%s)", members.size(), e.getMessage());
            throw new ApiException(ErrorCode.UNAVAILABLE, "cannot check that the users exist right now; retry later");
        }
        if (!missing.isEmpty()) {
            String named = missing.stream().limit(MISSING_NAMED).map(String::valueOf).collect(Collectors.joining(", "));
            String more = missing.size() > MISSING_NAMED ? " and " + (missing.size() - MISSING_NAMED) + " more" : "";
            throw ApiException.notFound((missing.size() == 1 ? "no user " : "no users ") + named + more
                    + "; nothing was changed");
        }
    }

    /** Updates every affected user's group cache and tells their nodes, a window of commands at a time. */
    private void announce(Collection<Long> users, String gid, String op, String verb) {
        String notice = Envelope.control(verb, gid);
        List<Long> affected = List.copyOf(users);
        cache.changeGroupsOf(affected, gid, op);
        // notices only after every cache is updated: a node that reacts by reading the cache sees the change
        RedisWindows.run(affected, user -> publisher.publish(RedisKeys.userChannel(user), notice));
    }

    /**
     * Redis work after a MySQL commit. The commit stands either way; if Redis fails here its caches may be stale,
     * so they are dropped (the next reader rebuilds them from MySQL) — best effort, logged.
     */
    private void afterCommit(String what, String gid, Collection<Long> users, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.errorf("%s: committed in MySQL but Redis was not updated (%s); dropping the caches it touches",
                    what, e.getMessage());
            try {
                cache.drop(gid, users);
            } catch (RuntimeException again) {
                LOG.errorf("%s: could not drop the caches of group %s and its %d users either (%s)",
                        what, gid, users.size(), again.getMessage());
            }
        }
    }

    /** Group ids are decimal strings; anything else names no group: 404, as for an unknown one. */
    public static void requireGroupId(String gid) {
        if (!GroupIds.valid(gid)) {
            throw ApiException.notFound("no group " + GroupIds.abbreviated(gid) + " (group ids are decimal numbers)");
        }
    }

    /** Runs blocking work on a worker thread and completes on the caller's Vert.x context, if any. */
    private static <T> Uni<T> offload(Supplier<T> work) {
        Context context = Vertx.currentContext();
        Uni<T> uni = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? uni : uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
}
