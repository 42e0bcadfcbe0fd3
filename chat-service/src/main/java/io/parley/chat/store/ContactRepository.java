package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
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
 * Contacts in MySQL ({@code contacts}: one row per owner and contact; mutual when both rows exist). Plain JDBC; a
 * database failure is answered {@code UNAVAILABLE}. Blocking: worker threads only.
 */
@ApplicationScoped
public class ContactRepository {

    /** A contact as listed: {@code mutual} when both added each other (only then is presence shared). */
    public record Contact(long user, boolean mutual, long addedAt) {
    }

    /** What {@link #add} did. */
    public enum Added {
        /** Nothing: the owner has the most contacts allowed already. */
        LIMIT_REACHED,
        /** The contact is the owner's (now or already); the other way round it is not. */
        ONE_WAY,
        /** The contact is the owner's, and the owner is the contact's. */
        MUTUAL
    }

    private final AgroalDataSource db;

    public ContactRepository(AgroalDataSource db) {
        this.db = db;
    }

    /** Adds {@code contact} to {@code owner}'s contacts unless that would exceed {@code maxContacts}. Idempotent. */
    public Added add(long owner, long contact, int maxContacts) {
        return inTransaction(connection -> {
            if (count(connection, owner) >= maxContacts && !exists(connection, owner, contact)) {
                return Added.LIMIT_REACHED;
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT IGNORE INTO contacts (owner_id, contact_id) VALUES (?, ?)")) {
                insert.setLong(1, owner);
                insert.setLong(2, contact);
                insert.executeUpdate();
            }
            return exists(connection, contact, owner) ? Added.MUTUAL : Added.ONE_WAY;
        });
    }

    /** Whether {@code contact} was one of {@code owner}'s contacts (and is no longer). */
    public boolean remove(long owner, long contact) {
        return inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?")) {
                delete.setLong(1, owner);
                delete.setLong(2, contact);
                return delete.executeUpdate() > 0;
            }
        });
    }

    /** The owner's contacts, oldest first. */
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

    /** The users who are contacts of {@code user} both ways, ascending. */
    public long[] mutualOf(long user) {
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
