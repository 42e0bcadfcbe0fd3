package io.parley.auth.service;

import io.parley.auth.repository.UserEntity;
import io.parley.auth.repository.UserRepository;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Registers users and looks them up. */
@ApplicationScoped
public class UserService {

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final UserIdFloor idFloor;

    public UserService(UserRepository users, PasswordHasher hasher, UserIdFloor idFloor) {
        this.users = users;
        this.hasher = hasher;
        this.idFloor = idFloor;
    }

    /** A registered user as shown to clients. */
    public record User(long id, String username, String displayName) {
        static User of(UserEntity entity) {
            return new User(entity.id, entity.username, entity.displayName);
        }
    }

    public User register(String username, String password, String displayName) {
        Validation.username(username);
        Validation.password(password);
        String name = Validation.displayName(displayName, username);
        String hash = hasher.hash(password); // slow on purpose: outside the transaction
        try {
            User user = insert(username, name, hash);
            idFloor.handedOut(user.id());
            return user;
        } catch (PersistenceException e) {
            // the unique key caught a concurrent registration of the same name
            throw new ApiException(ErrorCode.USERNAME_TAKEN, "username '" + username + "' is taken");
        }
    }

    @Transactional
    User insert(String username, String displayName, String passwordHash) {
        if (users.findByUsername(username).isPresent()) {
            throw new ApiException(ErrorCode.USERNAME_TAKEN, "username '" + username + "' is taken");
        }
        UserEntity user = new UserEntity();
        user.username = username;
        user.displayName = displayName;
        user.passwordHash = passwordHash;
        users.persistAndFlush(user);
        return User.of(user);
    }

    @Transactional
    public User byId(long id) {
        UserEntity user = users.findById(id);
        if (user == null || user.isDeleted()) {
            throw ApiException.notFound("no user " + id);
        }
        return User.of(user);
    }

    /** The users among {@code ids} that exist and are not deleted, in the order of {@code ids}; one query. */
    @Transactional
    public List<User> byIds(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, UserEntity> found = users.findActiveByIds(ids).stream()
                .collect(Collectors.toMap(user -> user.id, Function.identity()));
        return ids.stream().map(found::get).filter(user -> user != null).map(User::of).toList();
    }

    /**
     * The account that signs in with {@code username} — the same match as sign-in (usernames compare exactly,
     * case included) — unless deleted. A name that breaks the username rule is a 400.
     */
    @Transactional
    public Optional<User> byUsername(String username) {
        Validation.username(username);
        return users.findActiveByUsername(username).map(User::of);
    }

    /**
     * Deletes the account of {@code id} if {@code password} is its password: it can no longer sign in and is no
     * longer found; its sessions are ended by the caller. The row stays (history keeps resolving the id).
     */
    public void delete(long id, String password) {
        Validation.required(password, "password");
        if (!hasher.matches(password, activePasswordHash(id))) { // slow on purpose: outside the transaction
            throw new ApiException(ErrorCode.BAD_CREDENTIALS, "the password is wrong; the account is kept");
        }
        markDeleted(id);
    }

    @Transactional
    String activePasswordHash(long id) {
        UserEntity user = users.findById(id);
        if (user == null || user.isDeleted()) {
            throw ApiException.notFound("no user " + id);
        }
        return user.passwordHash;
    }

    @Transactional
    void markDeleted(long id) {
        users.findById(id).deletedAt = Instant.now();
    }
}
