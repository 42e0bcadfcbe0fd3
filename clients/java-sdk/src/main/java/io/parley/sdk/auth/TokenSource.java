package io.parley.sdk.auth;

/**
 * Where the SDK gets the app token it sends as {@code Authorization: Bearer}. {@link AppTokenSource} takes them from
 * the API key; an application that obtains its tokens elsewhere supplies its own.
 */
public interface TokenSource {

    /** A token to use now (thread-safe; may block while a fresh one is taken). */
    String token();

    /**
     * The server refused {@code token} with {@code 401 TOKEN_EXPIRED} or {@code TOKEN_REVOKED}: the next
     * {@link #token()} must not return it. The SDK then asks for a token once more and repeats the call once.
     */
    void rejected(String token);
}
