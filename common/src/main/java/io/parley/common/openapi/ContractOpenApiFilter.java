package io.parley.common.openapi;

import io.parley.common.error.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Completes every service's OpenAPI document with what the contract says once for all of them, so the resources'
 * annotations stay short: the error body schema {@code ErrorBody} ({@code {"code","message"}}, {@code code} one of
 * {@link ErrorCode}), given to every 4xx/5xx response that has no body of its own, and the four security schemes
 * ({@link ApiDocs#USER_TOKEN}, {@link ApiDocs#APP_TOKEN}, {@link ApiDocs#API_KEY}, {@link ApiDocs#ADMIN_KEY}).
 * Registered for every service by {@code mp.openapi.filter} in common's microprofile-config.properties.
 */
public class ContractOpenApiFilter implements OASFilter {

    private static final String JSON = "application/json";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        components.addSchema(ApiDocs.ERROR_BODY_SCHEMA, errorBody());
        components.addSecurityScheme(ApiDocs.USER_TOKEN, bearer("A signed-in user's access token (from POST /api/v1/sessions "
                + "or /sessions/refresh): JWE compact serialization, A256KW + A256GCM. Opaque to clients."));
        components.addSecurityScheme(ApiDocs.APP_TOKEN, bearer("An app's access token (from POST /api/v1/apps/{appId}/tokens "
                + "with the app's X-Api-Key): JWE, like a user's, with sub `app:<appId>`."));
        components.addSecurityScheme(ApiDocs.API_KEY, header("X-Api-Key", "An app's API key, shown once by POST /api/v1/apps."));
        components.addSecurityScheme(ApiDocs.ADMIN_KEY, header("X-Admin-Key", "The operator's admin key (from the "
                + "service's configuration)."));
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            for (PathItem path : openAPI.getPaths().getPathItems().values()) {
                for (Operation operation : path.getOperations().values()) {
                    giveErrorsTheErrorBody(operation);
                }
            }
        }
    }

    private static void giveErrorsTheErrorBody(Operation operation) {
        if (operation.getResponses() == null || operation.getResponses().getAPIResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> response : operation.getResponses().getAPIResponses().entrySet()) {
            if (isError(response.getKey()) && response.getValue().getRef() == null
                    && (response.getValue().getContent() == null || response.getValue().getContent().getMediaTypes() == null
                    || response.getValue().getContent().getMediaTypes().isEmpty())) {
                response.getValue().setContent(errorContent());
            }
        }
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }

    private static Content errorContent() {
        return OASFactory.createContent().addMediaType(JSON, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(ApiDocs.ERROR_BODY_SCHEMA)));
    }

    private static Schema errorBody() {
        List<Object> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::name).map(Object.class::cast).toList();
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("The body of every 4xx/5xx answer. The response's description lists the codes that status "
                        + "carries there; docs/protocol.md has the catalogue.")
                .addProperty("code", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("machine-readable; part of the contract (never renamed)").enumeration(codes))
                .addProperty("message", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("for people: what was wrong, naming the field"))
                .required(List.of("code", "message"));
    }

    private static SecurityScheme bearer(String description) {
        return OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWE")
                .description(description);
    }

    private static SecurityScheme header(String name, String description) {
        return OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(name)
                .description(description);
    }
}
