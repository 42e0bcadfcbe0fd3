package io.parley.auth.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "users")
public class UserEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 32, unique = true)
    public String username;

    @Column(name = "display_name", nullable = false, length = 64)
    public String displayName;

    @Column(name = "password_hash", nullable = false, length = 100)
    public String passwordHash;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    /** Set when the user deleted the account; such a user cannot sign in and is not found. */
    @Column(name = "deleted_at")
    public Instant deletedAt;

    /** When the operator blocked the user from sending, or {@code null}. */
    @Column(name = "send_blocked_at")
    public Instant sendBlockedAt;

    public boolean isDeleted() {
        return deletedAt != null;
    }
}
