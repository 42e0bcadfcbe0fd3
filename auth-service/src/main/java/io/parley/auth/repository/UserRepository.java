package io.parley.auth.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class UserRepository implements PanacheRepository<UserEntity> {

    /** Any account with the name, deleted ones included (a deleted account's name stays taken). */
    public Optional<UserEntity> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    /** The account that may sign in with the name: not deleted. */
    public Optional<UserEntity> findActiveByUsername(String username) {
        return find("username = ?1 and deletedAt is null", username).firstResultOptional();
    }
}
