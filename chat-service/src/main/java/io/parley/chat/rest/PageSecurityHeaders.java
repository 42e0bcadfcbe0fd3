package io.parley.chat.rest;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Security headers for what the browser loads from chat-service: the chat page, its script and style, the
 * JavaScript client (and every other answer, where they cost nothing).
 *
 * <ul>
 *   <li>{@code Content-Security-Policy}: scripts, styles and everything else only from this origin — the page has
 *   no inline script or style, so an injected {@code <script>} or handler attribute does not run; no plugins, no
 *   {@code <base>}, forms post only here; {@code frame-ancestors 'none'}: no other site may frame the page
 *   (clickjacking). {@code connect-src} also allows other http(s)/ws(s) origins because the page signs in at an
 *   auth-service URL the user types (by default this host on port 8081).</li>
 *   <li>{@code X-Frame-Options: DENY}: the same refusal to be framed, for browsers without {@code frame-ancestors}.</li>
 *   <li>{@code X-Content-Type-Options: nosniff}: a response is only what its content type says.</li>
 * </ul>
 */
@ApplicationScoped
public class PageSecurityHeaders {

    /** Early, so static resources and REST answers both carry the headers (after common's body-size check). */
    private static final int ORDER = Integer.MIN_VALUE + 200;

    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self' http: https: ws: wss:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(context -> {
            if (!context.normalizedPath().startsWith("/ws/")) { // a 101 upgrade has no document to protect
                MultiMap headers = context.response().headers();
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("X-Frame-Options", "DENY");
                headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            }
            context.next();
        });
    }
}
