package io.parley.chat.contacts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.Transactions;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Contacts (MySQL) and the mutual-contact lists presence is sent to. Those lists are read on every online/offline
 * change and written rarely, so each node caches them and only compares a per-user version in Redis (one GET)
 * instead of querying MySQL each time; every change bumps the version of both users. Blocking: worker threads.
 */
@ApplicationScoped
public class ContactService {

    /** A contact as listed: {@code mutual} when both added each other (only then is presence shared). */
    public record Contact(long user, boolean mutual, long addedAt) {
    }

    private record Cached(String version, long[] mutual) {
    }

    private final AgroalDataSource db;
    private final RedisDataSource redis;
    private final int maxContacts;
    private final Cache<Long, Cached> mutualCache;

    public ContactService(AgroalDataSource db, RedisDataSource redis, ChatConfig config) {
        this.db = db;
        this.redis = redis;
        this.maxContacts = config.limits().maxContacts();
        this.mutualCache = Caffeine.newBuilder().maximumSize(config.presence().contactCacheSize()).build();
    }

    /** Adds {@code contact} to {@code owner}'s contacts; returns whether they are now mutual. Idempotent. */
    public boolean add(long owner, long contact) {
        if (owner == contact) {
            throw ApiException.invalid("you cannot add yourself as a contact");
        }
        boolean mutual = inTransaction(connection -> {
            if (count(connection, owner) >= maxContacts && !exists(connection, owner, contact)) {
                throw new ApiException(ErrorCode.LIMIT_EXCEEDED, "a user may have at most " + maxContacts + " contacts");
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT IGNORE INTO contacts (owner_id, contact_id) VALUES (?, ?)")) {
                insert.setLong(1, owner);
                insert.setLong(2, contact);
                insert.executeUpdate();
            }
            return exists(connection, contact, owner);
        });
        bumpVersions(owner, contact);
        return mutual;
    }

    public void remove(long owner, long contact) {
        inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?")) {
                delete.setLong(1, owner);
                delete.setLong(2, contact);
                if (delete.executeUpdate() == 0) {
                    throw new ApiException(ErrorCode.NOT_FOUND, "user " + contact + " is not one of your contacts");
                }
            }
            return null;
        });
        bumpVersions(owner, contact);
    }

    public List<Contact> list(long owner) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT c.contact_id, c.created_at, r.owner_id IS NOT NULL AS mutual FROM contacts c "
                            + "LEFT JOIN contacts r ON r.owner_id = c.contact_id AND r.contact_id = c.owner_id "
                            + "WHERE c.owner_id = ? ORDER BY c.created_at, c.contact_id")) {
                query.setLong(1, owner);
                try (ResultSet rows = query.executeQuery()) {
                    List<Contact> out = new ArrayList<>();
                    while (rows.next()) {
                        out.add(new Contact(rows.getLong(1), rows.getBoolean(3), rows.getTimestamp(2).getTime()));
                    }
                    return out;
                }
            }
        });
    }

    /** The users who share presence with {@code user}: one Redis GET when the cached list is current. */
    public long[] mutualOf(long user) {
        String version = redis.value(String.class).get(RedisKeys.contactsVersion(user));
        if (version == null) {
            return new long[0]; // never had a contact change (every change bumps the version): no MySQL query
        }
        String current = version;
        Cached cached = mutualCache.getIfPresent(user);
        if (cached != null && cached.version().equals(current)) {
            return cached.mutual();
        }
        long[] mutual = loadMutual(user);
        mutualCache.put(user, new Cached(current, mutual));
        return mutual;
    }

    private long[] loadMutual(long user) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT c.contact_id FROM contacts c JOIN contacts r "
                            + "ON r.owner_id = c.contact_id AND r.contact_id = c.owner_id WHERE c.owner_id = ?")) {
                query.setLong(1, user);
                try (ResultSet rows = query.executeQuery()) {
                    Set<Long> out = new TreeSet<>();
                    while (rows.next()) {
                        out.add(rows.getLong(1));
                    }
                    return out.stream().mapToLong(Long::longValue).toArray();
                }
            }
        });
    }

    private void bumpVersions(long a, long b) {
        redis.value(String.class).incr(RedisKeys.contactsVersion(a));
        redis.value(String.class).incr(RedisKeys.contactsVersion(b));
    }

    private static int count(Connection connection, long owner) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM contacts WHERE owner_id = ?")) {
            query.setLong(1, owner);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static boolean exists(Connection connection, long owner, long contact) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT 1 FROM contacts WHERE owner_id = ? AND contact_id = ?")) {
            query.setLong(1, owner);
            query.setLong(2, contact);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private <T> T inTransaction(Transactions.SqlWork<T> work) {
        return Transactions.inTransaction(db, work,
                e -> new ApiException(ErrorCode.UNAVAILABLE, "the contact store is unavailable; retry"));
    }
}
