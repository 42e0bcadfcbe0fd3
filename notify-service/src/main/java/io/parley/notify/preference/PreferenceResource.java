package io.parley.notify.preference;

import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's relay preferences (an addition to the contract). */
@Tag(name = "preferences", description = "The caller's relay preferences")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@Path("/api/v1/preferences")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER)
public class PreferenceResource {

    /** Both ways: {@code {"relay", "digestSeconds", "channels": [types]}}; on PUT, missing fields keep their value. */
    public record PreferencesBody(Boolean relay, Integer digestSeconds, List<String> channels) {

        static PreferencesBody of(Preferences p) {
            return new PreferencesBody(p.relay(), p.digestSeconds(), p.channelNames());
        }
    }

    private final PreferenceService preferences;
    private final SecurityIdentity identity;

    public PreferenceResource(PreferenceService preferences, SecurityIdentity identity) {
        this.preferences = preferences;
        this.identity = identity;
    }

    @Operation(summary = "Read the caller's relay preferences")
    @APIResponse(responseCode = "200", description = "{\"relay\",\"digestSeconds\",\"channels\":[types]}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @GET
    public PreferencesBody get() {
        return PreferencesBody.of(preferences.of(caller()));
    }

    @Operation(summary = "Change the caller's relay preferences", description = "Missing fields keep their value.")
    @APIResponse(responseCode = "200",
            description = "{\"relay\",\"digestSeconds\",\"channels\":[types]}: the preferences now")
    @APIResponse(responseCode = "400",
            description = ApiDocs.INVALID_BODY + "; `INVALID_INPUT`: digestSeconds outside 0-3600 or an unknown "
            + "channel type")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @PUT
    public PreferencesBody put(PreferencesBody body) {
        if (body == null) {
            throw ApiException.invalid("a JSON body {relay, digestSeconds, channels} is required");
        }
        return PreferencesBody.of(preferences.set(caller(), body.relay(), body.digestSeconds(), body.channels()));
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }
}
