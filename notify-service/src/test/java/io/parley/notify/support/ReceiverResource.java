package io.parley.notify.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shared {@link HttpReceiver} per test JVM standing in for chat-service (its in-app notification API accepts
 * every user it is given) and the WeChat-style API (tokens {@code token-1}, {@code token-2}, …; template sends
 * answer {@code errcode 0}). Webhook tests add their own paths ({@link WebhookEndpoint}).
 */
public class ReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final String WECHAT_APP_ID = "wx-app";
    public static final String WECHAT_SECRET = "wx-secret";
    public static final String WECHAT_TEMPLATE = "tmpl-relay";
    public static final AtomicInteger TOKENS_ISSUED = new AtomicInteger();

    private static HttpReceiver shared;

    public static synchronized HttpReceiver receiver() {
        if (shared == null) {
            shared = HttpReceiver.start();
            resetDefaults();
        }
        return shared;
    }

    /** Puts back the standard answers of the stand-ins. */
    public static void resetDefaults() {
        HttpReceiver r = shared;
        r.on("/cgi-bin/token", request -> HttpReceiver.Answer.ok(new JsonObject()
                .put("access_token", "token-" + TOKENS_ISSUED.incrementAndGet()).put("expires_in", 7200).encode()));
        r.on("/cgi-bin/message/template/send", request -> HttpReceiver.Answer.ok("{\"errcode\":0,\"errmsg\":\"ok\"}"));
        r.on("/api/v1/apps/", request -> {
            JsonObject body = new JsonObject(request.bodyText());
            JsonArray users = body.getJsonArray("users");
            return new HttpReceiver.Answer(202, new JsonObject().put("id", body.getString("id"))
                    .put("accepted", users).encode());
        });
    }

    @Override
    public Map<String, String> start() {
        String base = receiver().baseUrl();
        // the receiver listens on 127.0.0.1: allow-listed exactly (EgressTest shows the default refuses it)
        return Map.of("parley.notify.egress.allow", "127.0.0.1",
                "parley.notify.chat-url", base,
                "parley.notify.wechat.endpoint", base,
                "parley.notify.wechat.app-id", WECHAT_APP_ID,
                "parley.notify.wechat.app-secret", WECHAT_SECRET,
                "parley.notify.wechat.template-id", WECHAT_TEMPLATE);
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM
    }
}
