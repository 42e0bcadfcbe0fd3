package io.parley.sdk;

import io.parley.sdk.auth.TokenSource;
import io.parley.sdk.error.AuthenticationException;
import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.http.HttpCall;
import io.parley.sdk.http.Json;
import io.parley.sdk.http.Transport;
import java.net.URI;
import java.util.Map;

/**
 * REST calls as the app: JSON in and out, the app token in {@code Authorization}. A {@code 401 TOKEN_EXPIRED}
 * (the token ran out in flight, or the clocks disagree) or {@code TOKEN_REVOKED} (the app's session is gone — taking
 * a token re-creates it, e.g. after Redis lost its data) is answered once by taking a fresh token and sending the
 * call again — safe for every call, as the server refused the first one before doing anything.
 */
final class AppApi {

    private final Transport transport;
    private final TokenSource tokens;

    AppApi(Transport transport, TokenSource tokens) {
        this.transport = transport;
        this.tokens = tokens;
    }

    /** Sends the call and reads its answer as {@code answer}; {@code answer} {@code Void.class} for none. */
    <T> T send(String method, URI uri, Object body, boolean repeatable, Class<T> answer) {
        HttpCall call = new HttpCall(method, uri, Map.of(), body == null ? null : Json.write(body), repeatable);
        String token = tokens.token();
        byte[] result;
        try {
            result = transport.send(call.withHeader("Authorization", "Bearer " + token));
        } catch (AuthenticationException e) {
            if (!ErrorCodes.TOKEN_EXPIRED.equals(e.code()) && !ErrorCodes.TOKEN_REVOKED.equals(e.code())) {
                throw e;
            }
            tokens.rejected(token);
            result = transport.send(call.withHeader("Authorization", "Bearer " + tokens.token()));
        }
        return answer == Void.class ? null : Json.read(result, answer);
    }
}
