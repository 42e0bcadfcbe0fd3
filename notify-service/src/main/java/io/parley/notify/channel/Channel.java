package io.parley.notify.channel;

import java.time.Instant;

/**
 * A bound channel as stored. {@code secret} is the webhook's HMAC key; {@code codeHash} the SHA-256 of the pending
 * verification code or challenge.
 */
public record Channel(String id, long userId, ChannelType type, String address, String secret, boolean verified,
                      String codeHash, Instant codeExpiresAt, int verifyAttempts, Instant createdAt) {
}
