package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Groups and their members in MySQL ({@code chat_groups}, {@code group_members}), the truth the Redis caches
 * ({@link GroupMembershipCache}) are rebuilt from. Plain JDBC; who may change what is decided by the caller, inside
 * {@link #changeLocked}, with the group's row locked. Blocking: worker threads only.
 */
@ApplicationScoped
public class GroupRepository {

    /** Rows per multi-row insert of members. */
    private static final int INSERT_CHUNK = 1000;

    /** What a conversation list shows of a group. */
    public record GroupInfo(String id, String name, long createdAt) {
    }

    /** A group as a list of the caller's groups shows it. */
    public record GroupSummary(String id, String name, long owner, long memberCount) {
    }

    /** A group with its members, longest-standing first. */
    public record GroupDetails(String id, String name, long owner, List<Long> members) {
    }

    /** A group whose row is locked ({@code FOR UPDATE}) for the rest of the transaction. */
    public interface LockedGroup {
        long owner();

        boolean hasMember(long user) throws SQLException;

        long memberCount() throws SQLException;

        void addMembers(Collection<Long> users) throws SQLException;

        /** Whether the user was a member. */
        boolean removeMember(long user) throws SQLException;

        /** The longest-standing member becomes the owner; an empty group keeps its last owner. */
        void handOverOwnership() throws SQLException;
    }

    /** A change made with the group locked; a {@link RuntimeException} rolls it back and passes through. */
    @FunctionalInterface
    public interface Change<T> {
        T apply(LockedGroup group) throws SQLException;
    }

    private final AgroalDataSource db;

    public GroupRepository(AgroalDataSource db) {
        this.db = db;
    }

    /** Inserts the group and its members in one transaction. */
    public void create(String gid, String name, long owner, Collection<Long> members) {
        inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO chat_groups (id, name, owner) VALUES (?, ?, ?)")) {
                insert.setString(1, gid);
                insert.setString(2, name);
                insert.setLong(3, owner);
                insert.executeUpdate();
            }
            insertMembers(connection, gid, members);
            return null;
        });
    }

    /** Runs {@code change} in one transaction with the group's row locked; empty if there is no such group. */
    public <T> Optional<T> changeLocked(String gid, Change<T> change) {
        return inTransaction(connection -> {
            Long owner = lockGroupOwner(connection, gid);
            if (owner == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(change.apply(new Locked(connection, gid, owner)));
        });
    }

    /** The group's members (as text, as the caches hold them); empty if there is no such group. */
    public Optional<List<String>> members(String gid) {
        return inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM chat_groups WHERE id = ?")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                }
            }
            List<String> members = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT user_id FROM group_members WHERE group_id = ?")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        members.add(Long.toString(rows.getLong(1)));
                    }
                }
            }
            return Optional.of(members);
        });
    }

    /** The ids of the groups the user is a member of. */
    public Set<String> groupsOf(long user) {
        return inTransaction(connection -> {
            Set<String> groups = new LinkedHashSet<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT group_id FROM group_members WHERE user_id = ?")) {
                select.setLong(1, user);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        groups.add(rows.getString(1));
                    }
                }
            }
            return groups;
        });
    }

    /** The groups the user is a member of, with their member counts, newest first: one query. */
    public List<GroupSummary> summariesOf(long user) {
        return inTransaction(connection -> {
            List<GroupSummary> out = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT g.id, g.name, g.owner, (SELECT COUNT(*) FROM group_members c WHERE c.group_id = g.id)"
                            + " FROM group_members m JOIN chat_groups g ON g.id = m.group_id"
                            + " WHERE m.user_id = ? ORDER BY g.created_at DESC, g.id DESC")) {
                select.setLong(1, user);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        out.add(new GroupSummary(rows.getString(1), rows.getString(2), rows.getLong(3), rows.getLong(4)));
                    }
                }
            }
            return out;
        });
    }

    /** The group with its members (longest-standing first); empty if there is no such group. */
    public Optional<GroupDetails> details(String gid) {
        return inTransaction(connection -> {
            String name;
            long owner;
            try (PreparedStatement select = connection.prepareStatement("SELECT name, owner FROM chat_groups WHERE id = ?")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    name = rows.getString(1);
                    owner = rows.getLong(2);
                }
            }
            List<Long> members = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        members.add(rows.getLong(1));
                    }
                }
            }
            return Optional.of(new GroupDetails(gid, name, owner, members));
        });
    }

    public boolean isMember(String gid, long user) {
        return inTransaction(connection -> isMember(connection, gid, user));
    }

    /** Names and creation times of the given groups (those that exist). */
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

    private record Locked(Connection connection, String gid, long owner) implements LockedGroup {

        @Override
        public boolean hasMember(long user) throws SQLException {
            return isMember(connection, gid, user);
        }

        @Override
        public long memberCount() throws SQLException {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT COUNT(*) FROM group_members WHERE group_id = ?")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }

        @Override
        public void addMembers(Collection<Long> users) throws SQLException {
            insertMembers(connection, gid, users);
        }

        @Override
        public boolean removeMember(long user) throws SQLException {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?")) {
                delete.setString(1, gid);
                delete.setLong(2, user);
                return delete.executeUpdate() > 0;
            }
        }

        @Override
        public void handOverOwnership() throws SQLException {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id LIMIT 1")) {
                select.setString(1, gid);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return; // the group is empty; it keeps its last owner
                    }
                    try (PreparedStatement update = connection.prepareStatement(
                            "UPDATE chat_groups SET owner = ? WHERE id = ?")) {
                        update.setLong(1, rows.getLong(1));
                        update.setString(2, gid);
                        update.executeUpdate();
                    }
                }
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

    private static boolean isMember(Connection connection, String gid, long user) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?")) {
            select.setString(1, gid);
            select.setLong(2, user);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void insertMembers(Connection connection, String gid, Collection<Long> users) throws SQLException {
        List<Long> list = List.copyOf(users);
        for (int from = 0; from < list.size(); from += INSERT_CHUNK) {
            List<Long> chunk = list.subList(from, Math.min(list.size(), from + INSERT_CHUNK));
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

    /** Runs {@code work} in one MySQL transaction (committed unless it throws). */
    private <T> T inTransaction(Transactions.SqlWork<T> work) {
        return Transactions.inTransaction(db, work, e -> new IllegalStateException("group store failed: " + e.getMessage(), e));
    }
}
