package io.parley.notify.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Firebase on loopback: a token endpoint that checks the RS256 assertion with the service account's public key (its
 * {@code iss}, {@code aud}, {@code scope}), and {@code messages:send} that accepts only tokens it issued and answers
 * what a test scripted for a registration token (200 by default). Sends that got through are in {@link #accepted}.
 */
public final class FcmStandIn implements AutoCloseable {

    public static final String PROJECT = "test-project";
    public static final String CLIENT_EMAIL = "push@test-project.iam.gserviceaccount.com";

    /** One message the stand-in answered, with the answer's status. */
    public record Send(String registrationToken, JsonObject message, String authorization, int status) {
    }

    private final HttpReceiver http = HttpReceiver.start();
    private final KeyPair key;
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final Map<String, Deque<HttpReceiver.Answer>> scripted = new ConcurrentHashMap<>();
    private final List<Send> sends = new CopyOnWriteArrayList<>();

    public FcmStandIn(KeyPair key) {
        this.key = key;
        http.on("/token", this::token);
        http.on("/v1/projects/" + PROJECT + "/messages:send", this::send);
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    public String tokenUri() {
        return http.url("/token");
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    /** The next answers to sends to {@code registrationToken}, in order; then 200 again. */
    public void script(String registrationToken, HttpReceiver.Answer... answers) {
        scripted.computeIfAbsent(registrationToken, t -> new ConcurrentLinkedDeque<>()).addAll(List.of(answers));
    }

    public List<Send> sendsTo(String registrationToken) {
        return sends.stream().filter(s -> s.registrationToken().equals(registrationToken)).toList();
    }

    public static HttpReceiver.Answer error(int status, String fcmStatus, String errorCode, Map<String, String> headers) {
        JsonObject error = new JsonObject().put("code", status).put("message", "scripted").put("status", fcmStatus);
        if (errorCode != null) {
            error.put("details", new JsonArray().add(new JsonObject()
                    .put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError").put("errorCode", errorCode)));
        }
        return new HttpReceiver.Answer(status, new JsonObject().put("error", error).encode(), headers);
    }

    private HttpReceiver.Answer token(HttpReceiver.Request request) {
        Map<String, String> form = new ConcurrentHashMap<>();
        for (String pair : request.bodyText().split("&")) {
            int eq = pair.indexOf('=');
            form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return new HttpReceiver.Answer(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        JsonObject claims;
        try {
            claims = JwtCheck.verify(form.get("assertion"), key.getPublic()).claims();
        } catch (AssertionError e) {
            return new HttpReceiver.Answer(400, "{\"error\":\"invalid_grant\"}");
        }
        long now = System.currentTimeMillis() / 1000;
        if (!CLIENT_EMAIL.equals(claims.getString("iss")) || !tokenUri().equals(claims.getString("aud"))
                || !"https://www.googleapis.com/auth/firebase.messaging".equals(claims.getString("scope"))
                || claims.getLong("exp", 0L) < now || claims.getLong("exp") - claims.getLong("iat") > 3600) {
            return new HttpReceiver.Answer(400, "{\"error\":\"invalid_grant\"}");
        }
        String token = "at-" + tokensIssued.incrementAndGet();
        issued.add(token);
        return HttpReceiver.Answer.ok(new JsonObject().put("access_token", token).put("expires_in", 3600)
                .put("token_type", "Bearer").encode());
    }

    private HttpReceiver.Answer send(HttpReceiver.Request request) {
        JsonObject message = new JsonObject(request.bodyText()).getJsonObject("message");
        String target = message.getString("token");
        String authorization = request.header("authorization");
        HttpReceiver.Answer answer;
        if (authorization == null || !issued.contains(authorization.replaceFirst("^Bearer ", ""))) {
            answer = error(401, "UNAUTHENTICATED", null, Map.of());
        } else {
            Deque<HttpReceiver.Answer> queue = scripted.get(target);
            HttpReceiver.Answer next = queue == null ? null : queue.poll();
            answer = next != null ? next
                    : HttpReceiver.Answer.ok(new JsonObject().put("name", "projects/" + PROJECT + "/messages/" + sends.size()).encode());
        }
        if (answer.status() == 401 && authorization != null) {
            issued.remove(authorization.replaceFirst("^Bearer ", "")); // a scripted 401 revokes the token
        }
        sends.add(new Send(target, message, authorization, answer.status()));
        return answer;
    }

    @Override
    public void close() {
        http.close();
    }
}
