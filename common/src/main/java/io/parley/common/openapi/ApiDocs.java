package io.parley.common.openapi;

/**
 * What the services' OpenAPI annotations share: the security scheme names ({@link ContractOpenApiFilter} defines
 * the schemes) and the error descriptions many operations repeat. Every error response's body is the contract's
 * {@code {"code","message"}} ({@value #ERROR_BODY_SCHEMA}, added by the filter); a description lists the codes that
 * status can carry there. The catalogue of codes is docs/protocol.md's "Errors".
 */
public final class ApiDocs {

    // ---- security schemes ----------------------------------------------------------------------------------------
    /** {@code Authorization: Bearer <access token>} of a signed-in user (JWE). */
    public static final String USER_TOKEN = "userToken";
    /** {@code Authorization: Bearer <app token>} from {@code POST /api/v1/apps/{appId}/tokens} (JWE). */
    public static final String APP_TOKEN = "appToken";
    /** {@code X-Api-Key}: an app's API key. */
    public static final String API_KEY = "apiKey";
    /** {@code X-Admin-Key}: the operator's key. */
    public static final String ADMIN_KEY = "adminKey";

    /** The component schema of every error body. */
    public static final String ERROR_BODY_SCHEMA = "ErrorBody";

    // ---- error descriptions (codes in the error body) -------------------------------------------------------------
    public static final String UNAUTHENTICATED = "`UNAUTHENTICATED` (no Bearer token; with `WWW-Authenticate: Bearer`), "
            + "`TOKEN_INVALID`, `TOKEN_EXPIRED` or `TOKEN_REVOKED`";
    public static final String USER_ONLY = "`FORBIDDEN`: an app token on a user endpoint";
    public static final String OWN_APP_ONLY = "`FORBIDDEN`: a user token, or another app's token";
    public static final String APP_ONLY = "`FORBIDDEN`: a user token on an app endpoint";
    public static final String MALFORMED_JSON = "`MALFORMED_JSON`: the body is not JSON, or a field has the wrong JSON type";
    public static final String INVALID_BODY = MALFORMED_JSON + "; `INVALID_INPUT`: a field is missing or breaks a rule "
            + "(the message names it)";
    public static final String TOO_LARGE = "`PAYLOAD_TOO_LARGE`: the body is over the limit (64 KiB by default)";
    public static final String RATE_LIMITED = "`RATE_LIMITED`, with `Retry-After` (seconds)";
    public static final String UNAVAILABLE = "`UNAVAILABLE`: a dependency failed; try again";
    public static final String INVALID_USER_ID = "`INVALID_ID`: not a user id (a positive integer of at most 10 digits)";
    public static final String NOT_FOUND = "`NOT_FOUND`";
    public static final String NO_CONTENT = "done; no body";

    private ApiDocs() {
    }
}
