package io.parley.sdk.http;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One REST call as the {@link Transport} sends it (and may send again).
 *
 * @param method     the HTTP verb
 * @param uri        the full address
 * @param headers    extra headers (Authorization, X-Api-Key)
 * @param body       the JSON body, or {@code null} for none
 * @param repeatable whether the call is safe to send again when its outcome is unknown (a timeout, a 503): true for
 *                   reads and for writes the server applies idempotently. A call that is not is still retried when
 *                   the server certainly did nothing: a 429, or a connection that could not be made
 */
public record HttpCall(String method, URI uri, Map<String, String> headers, byte[] body, boolean repeatable) {

    public HttpCall withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new HttpCall(method, uri, Map.copyOf(more), body, repeatable);
    }
}
