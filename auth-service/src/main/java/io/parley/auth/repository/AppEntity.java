package io.parley.auth.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A tenant app: a third-party backend that pushes through Parley with app tokens. */
@Entity
@Table(name = "apps")
public class AppEntity {

    @Id
    @Column(length = 40)
    public String id;

    @Column(nullable = false, length = 64)
    public String name;

    /** SHA-256 (hex) of the API key; the key itself is shown once and never stored. */
    @Column(name = "api_key_hash", nullable = false, length = 64)
    public String apiKeyHash;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    /** When the operator disabled the app (its API key and tokens refused), or {@code null}. */
    @Column(name = "disabled_at")
    public Instant disabledAt;

    /** Bumped on every disable: app tokens of an older generation stay refused after the app is enabled again. */
    @Column(name = "token_generation", nullable = false)
    public int tokenGeneration;

    public boolean isDisabled() {
        return disabledAt != null;
    }
}
