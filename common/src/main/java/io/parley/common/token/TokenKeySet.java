package io.parley.common.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;

/**
 * The token keys a service knows, each named by a {@code kid} (the JWE header names the key that sealed a token), so
 * keys rotate without logging anyone out: a new key is announced, new tokens are sealed with the newest key whose
 * {@code activeFrom} has come, tokens of older keys are still accepted, and a key is refused from its {@code retireAt}
 * on. Immutable; a new set replaces the old one as a whole (see {@code TokenKeyRing}).
 *
 * <p>The text form is a JWK Set of symmetric keys with two Parley members (times are ISO-8601 instants):
 * <pre>{"keys":[
 *   {"kid":"2026-11","k":"&lt;Base64 of 32 bytes&gt;","retireAt":"2026-12-08T00:00:00Z"},
 *   {"kid":"2026-12","k":"&lt;Base64 of 32 bytes&gt;","activeFrom":"2026-12-07T12:00:00Z"}]}</pre>
 * {@code activeFrom} lets the operator hand a key to every pod before any pod seals with it (a pod that has not yet
 * read the new set would otherwise refuse the new tokens); a key whose {@code activeFrom} is still ahead already
 * verifies. A key without {@code activeFrom} is older than every key with one; among those without, a later one in
 * the list is newer.
 */
public final class TokenKeySet {

    /** One key. {@code kid} is {@code null} only for the single legacy key ({@code PARLEY_TOKEN_KEY}). */
    public record Entry(String kid, SecretKey key, Instant activeFrom, Instant retireAt) {

        boolean retiredAt(Instant now) {
            return retireAt != null && !now.isBefore(retireAt);
        }

        boolean sealsAt(Instant now) {
            return !retiredAt(now) && (activeFrom == null || !activeFrom.isAfter(now));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** A handful of keys at a time is what rotation needs; a long list costs every kid-less token that many tries. */
    private static final int MAX_KEYS = 16;

    private final List<Entry> entries;
    private final Map<String, Entry> byKid = new HashMap<>();

    private TokenKeySet(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry entry : entries) {
            if (entry.kid() != null) {
                byKid.put(entry.kid(), entry);
            }
        }
    }

    /** The single key of {@code PARLEY_TOKEN_KEY}: tokens carry no {@code kid}, as before key sets existed. */
    public static TokenKeySet single(SecretKey key) {
        return new TokenKeySet(List.of(new Entry(null, key, null, null)));
    }

    /**
     * Reads a key set from its JSON text.
     *
     * @throws IllegalArgumentException naming what is wrong (never the key material)
     */
    public static TokenKeySet parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text == null ? "" : text);
        } catch (IOException e) {
            throw new IllegalArgumentException("token key set is not JSON");
        }
        JsonNode keys = root == null ? null : root.get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
            throw new IllegalArgumentException("token key set needs a non-empty \"keys\" array");
        }
        if (keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException("token key set has " + keys.size() + " keys; at most " + MAX_KEYS);
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (JsonNode key : keys) {
            String kid = key.path("kid").asText("");
            if (!KID.matcher(kid).matches()) {
                throw new IllegalArgumentException("every token key needs a \"kid\" of 1-64 of [A-Za-z0-9._-], got \""
                        + kid + "\"");
            }
            if (seen.put(kid, true) != null) {
                throw new IllegalArgumentException("token key \"" + kid + "\" appears twice");
            }
            if (key.has("kty") && !"oct".equals(key.get("kty").asText())) {
                throw new IllegalArgumentException("token key \"" + kid + "\": kty must be \"oct\"");
            }
            SecretKey secret;
            try {
                secret = TokenKey.fromBase64(key.path("k").asText(null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("token key \"" + kid + "\": " + e.getMessage());
            }
            Instant activeFrom = instant(key, "activeFrom", kid);
            Instant retireAt = instant(key, "retireAt", kid);
            if (activeFrom != null && retireAt != null && !retireAt.isAfter(activeFrom)) {
                throw new IllegalArgumentException("token key \"" + kid + "\": retireAt must be after activeFrom");
            }
            entries.add(new Entry(kid, secret, activeFrom, retireAt));
        }
        return new TokenKeySet(entries);
    }

    private static Instant instant(JsonNode key, String field, String kid) {
        JsonNode value = key.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("token key \"" + kid + "\": " + field
                    + " must be an ISO-8601 instant such as 2026-12-07T12:00:00Z");
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * The key new tokens are sealed with at {@code now}: the newest that is active and not retired.
     *
     * @throws IllegalStateException when no key can seal (all retired, or all still ahead)
     */
    public Entry sealingKey(Instant now) {
        Entry newest = null;
        for (Entry entry : entries) {
            if (entry.sealsAt(now) && (newest == null || !olderThan(entry, newest))) {
                newest = entry;
            }
        }
        if (newest == null) {
            throw new IllegalStateException("no token key can seal tokens now: every key is retired or not active yet");
        }
        return newest;
    }

    /** Whether {@code a} is older than {@code b} (list order breaks ties, the later being newer). */
    private boolean olderThan(Entry a, Entry b) {
        Instant fromA = a.activeFrom() == null ? Instant.MIN : a.activeFrom();
        Instant fromB = b.activeFrom() == null ? Instant.MIN : b.activeFrom();
        int byTime = fromA.compareTo(fromB);
        return byTime != 0 ? byTime < 0 : entries.indexOf(a) < entries.indexOf(b);
    }

    /** The key of a {@code kid}, or {@code null} if this set does not know it. */
    Entry byKid(String kid) {
        return byKid.get(kid);
    }

    /**
     * Whether the set can seal at {@code now}; the reason it cannot, otherwise (for a reload that must not replace
     * a working set with one that cannot issue).
     */
    public String problemAt(Instant now) {
        try {
            sealingKey(now);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
