package io.parley.chat.contacts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.store.ContactRepository;
import io.parley.chat.store.ContactRepository.Contact;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Contacts ({@link ContactRepository}, MySQL) and the mutual-contact lists presence is sent to. Those lists are
 * read on every online/offline change and written rarely, so each node caches them and only compares a per-user
 * version in Redis (one GET) instead of querying MySQL each time; every change bumps the version of both users.
 * Blocking: worker threads.
 */
@ApplicationScoped
public class ContactService {

    private record Cached(String version, long[] mutual) {
    }

    private final ContactRepository contacts;
    private final RedisDataSource redis;
    private final int maxContacts;
    private final Cache<Long, Cached> mutualCache;

    public ContactService(ContactRepository contacts, RedisDataSource redis, ChatConfig config) {
        this.contacts = contacts;
        this.redis = redis;
        this.maxContacts = config.limits().maxContacts();
        this.mutualCache = Caffeine.newBuilder().maximumSize(config.presence().contactCacheSize()).build();
    }

    /** Adds {@code contact} to {@code owner}'s contacts; returns whether they are now mutual. Idempotent. */
    public boolean add(long owner, long contact) {
        if (owner == contact) {
            throw ApiException.invalid("you cannot add yourself as a contact");
        }
        ContactRepository.Added added = contacts.add(owner, contact, maxContacts);
        if (added == ContactRepository.Added.LIMIT_REACHED) {
            throw new ApiException(ErrorCode.LIMIT_EXCEEDED, "a user may have at most " + maxContacts + " contacts");
        }
        bumpVersions(owner, contact);
        return added == ContactRepository.Added.MUTUAL;
    }

    public void remove(long owner, long contact) {
        if (!contacts.remove(owner, contact)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "user " + contact + " is not one of your contacts");
        }
        bumpVersions(owner, contact);
    }

    public List<Contact> list(long owner) {
        return contacts.list(owner);
    }

    /** The users who share presence with {@code user}: one Redis GET when the cached list is current. */
    public long[] mutualOf(long user) {
        String version = redis.value(String.class).get(RedisKeys.contactsVersion(user));
        if (version == null) {
            return new long[0]; // never had a contact change (every change bumps the version): no MySQL query
        }
        Cached cached = mutualCache.getIfPresent(user);
        if (cached != null && cached.version().equals(version)) {
            return cached.mutual();
        }
        long[] mutual = contacts.mutualOf(user);
        mutualCache.put(user, new Cached(version, mutual));
        return mutual;
    }

    private void bumpVersions(long a, long b) {
        redis.value(String.class).incr(RedisKeys.contactsVersion(a));
        redis.value(String.class).incr(RedisKeys.contactsVersion(b));
    }
}
