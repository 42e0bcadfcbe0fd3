package io.parley.auth.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
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

    /** The accounts among {@code ids} that are not deleted, in no particular order: one query for the whole batch. */
    public List<UserEntity> findActiveByIds(Collection<Long> ids) {
        return list("id in ?1 and deletedAt is null", ids);
    }
}
