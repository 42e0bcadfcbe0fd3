package io.parley.common.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into the contract's {@code {code, message}} body with the right status — and
 * never a stack trace. Unexpected exceptions are logged here, once, and answered with 500.
 */
public class ApiExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response apiException(ApiException e) {
        Response.ResponseBuilder response = build(e.code(), e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return build(ErrorCode.MALFORMED_JSON, "the body is not valid JSON or has a field of the wrong type").build();
    }

    // Quarkus REST ships mappers for these two subtypes; these win over them to keep the contract's body.
    @ServerExceptionMapper
    public Response unparsableJson(com.fasterxml.jackson.core.JsonParseException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response mismatchedJson(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        ErrorCode code = TokenFailures.codeOf(e);
        String message = code == ErrorCode.UNAUTHENTICATED ? null : e.getMessage();
        return build(code, message).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return build(ErrorCode.UNAUTHENTICATED, null).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return build(ErrorCode.FORBIDDEN, null).build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status < 400) {
            return e.getResponse();
        }
        // A JSON body that fails to bind arrives here as a 400 whose cause is Jackson's.
        if (status == 400 && hasCause(e, JsonProcessingException.class)) {
            return malformedJson(null);
        }
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.INVALID_INPUT;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_INPUT;
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.of(code, null)).build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (e instanceof WebApplicationException web) {
            return webApplication(web);
        }
        if (hasCause(e, java.io.IOException.class)) {
            // the client went away mid-request: nothing to answer, nothing broken on our side
            LOG.debugf("request I/O failed: %s", e.getMessage());
            return build(ErrorCode.INTERNAL, null).build();
        }
        LOG.error("unexpected failure", e);
        return build(ErrorCode.INTERNAL, null).build();
    }

    private static Response.ResponseBuilder build(ErrorCode code, String message) {
        return Response.status(code.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(ApiError.of(code, message));
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
