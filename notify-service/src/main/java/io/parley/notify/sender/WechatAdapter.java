package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The official-account (WeChat-style) adapter: template messages to a user's open id through a third-party HTTP
 * API configured per deployment.
 *
 * <ul>
 *   <li>{@code GET {endpoint}/cgi-bin/token?grant_type=client_credential&appid=&secret=} → {@code {"access_token",
 *   "expires_in"}}; the token is cached until a minute before it expires, and one fetch serves all callers.</li>
 *   <li>{@code POST {endpoint}/cgi-bin/message/template/send?access_token=…} with {@code {"touser","template_id",
 *   "data"}} → {@code {"errcode":0}}. Any other errcode is a failure; 40001/42001 (invalid or expired token) drop the
 *   cached token and the send is tried once more with a fresh one.</li>
 * </ul>
 */
@ApplicationScoped
public class WechatAdapter {

    private static final Logger LOG = Logger.getLogger(WechatAdapter.class);
    private static final long EXPIRY_MARGIN_MS = 60_000;

    private record Token(String value, long expiresAtMillis) {
    }

    private final OutboundHttp http;
    private final NotifyConfig.Wechat config;
    private final AtomicReference<Token> token = new AtomicReference<>();
    private final AtomicReference<Uni<Token>> fetching = new AtomicReference<>();

    public WechatAdapter(OutboundHttp http, NotifyConfig config) {
        this.http = http;
        this.config = config.wechat();
    }

    /** Whether this deployment has an official account configured (otherwise wechat channels are refused). */
    public boolean configured() {
        return config.endpoint().filter(e -> !e.isBlank()).isPresent();
    }

    /** Sends a template message with a title and a text (template fields {@code title} and {@code body}). */
    public Uni<Void> send(String openId, String title, String text) {
        if (!configured()) {
            return Uni.createFrom().failure(new SendFailure("no wechat endpoint is configured"));
        }
        JsonObject data = new JsonObject()
                .put("title", new JsonObject().put("value", title))
                .put("body", new JsonObject().put("value", text));
        JsonObject message = new JsonObject().put("touser", openId).put("template_id", config.templateId().orElse(""))
                .put("data", data);
        return send(message, true);
    }

    private Uni<Void> send(JsonObject message, boolean mayRefresh) {
        return currentToken().flatMap(t -> http.postJsonOutside(endpoint() + "/cgi-bin/message/template/send?access_token="
                        + encode(t.value()), Map.of(), message.encode().getBytes(StandardCharsets.UTF_8))
                .flatMap(response -> {
                    if (response.statusCode() / 100 != 2) {
                        return Uni.createFrom().failure(new SendFailure("wechat API answered HTTP " + response.statusCode()));
                    }
                    JsonObject answer = parse(response.bodyAsString());
                    int errcode = answer.getInteger("errcode", -1);
                    if (errcode == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    if ((errcode == 40001 || errcode == 42001) && mayRefresh) {
                        LOG.infof("wechat access token refused (errcode %d); fetching a new one", errcode);
                        token.compareAndSet(t, null);
                        return send(message, false);
                    }
                    return Uni.createFrom().failure(new SendFailure("wechat errcode " + errcode + ": "
                            + answer.getString("errmsg", "")));
                }));
    }

    private Uni<Token> currentToken() {
        Token current = token.get();
        if (current != null && System.currentTimeMillis() < current.expiresAtMillis()) {
            return Uni.createFrom().item(current);
        }
        Uni<Token> fetch = fetching.get();
        if (fetch != null) {
            return fetch;
        }
        Uni<Token> created = fetchToken().eventually(() -> {
            fetching.set(null);
        }).memoize().indefinitely();
        return fetching.compareAndSet(null, created) ? created : fetching.get() == null ? currentToken() : fetching.get();
    }

    private Uni<Token> fetchToken() {
        String url = endpoint() + "/cgi-bin/token?grant_type=client_credential&appid=" + encode(config.appId().orElse(""))
                + "&secret=" + encode(config.appSecret().orElse(""));
        return http.getOutside(url).map(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new SendFailure("wechat token endpoint answered HTTP " + response.statusCode());
            }
            JsonObject answer = parse(response.bodyAsString());
            String value = answer.getString("access_token");
            if (value == null) {
                throw new SendFailure("wechat token endpoint refused: errcode " + answer.getInteger("errcode", -1));
            }
            long ttlMs = answer.getLong("expires_in", 7200L) * 1000;
            Token fresh = new Token(value, System.currentTimeMillis() + Math.max(1000, ttlMs - EXPIRY_MARGIN_MS));
            token.set(fresh);
            return fresh;
        });
    }

    private String endpoint() {
        String e = config.endpoint().orElseThrow();
        return e.endsWith("/") ? e.substring(0, e.length() - 1) : e;
    }

    private static JsonObject parse(String body) {
        try {
            return body == null ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            throw new SendFailure("wechat API answered something that is not JSON");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
