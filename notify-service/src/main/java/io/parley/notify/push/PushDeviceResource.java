package io.parley.notify.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.parley.common.token.TokenClaims;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A user's push devices: the calling device registers, lists, unregisters. Blocking (MySQL): worker threads. */
@Tag(name = "push", description = "Push to phones and browsers (FCM, APNs, Web Push) while the app is closed")
@Path("/api/v1/push")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PushDeviceResource {

    /** A device as lists show it; the token redacted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceView(String deviceId, String provider, String token, Long mutedUntil, String preview,
                             Long createdAt, Boolean current) {
    }

    private final PushDeviceService devices;
    private final SecurityIdentity identity;

    public PushDeviceResource(PushDeviceService devices, SecurityIdentity identity) {
        this.devices = devices;
        this.identity = identity;
    }

    @Operation(summary = "Register the calling device for push",
            description = "The device is the token's device id. Body {\"provider\":\"fcm\"|\"apns\"|\"webpush\", \"token\", "
            + "\"mutedUntil\"? (epoch ms; 0 unmutes), \"preview\"? (full|sender|none)}; for webpush the token is the "
            + "browser's subscription {endpoint, keys:{p256dh, auth}}. Registering again replaces the token and keeps "
            + "omitted settings; a token registered by another user moves to the caller. The registration belongs to the "
            + "token's session: signing out, ending the session or deleting the account removes it (register again "
            + "after signing in).")
    @APIResponse(responseCode = "200", description = "{\"deviceId\",\"provider\",\"token\" (redacted),\"mutedUntil\"?,\"preview\",\"createdAt\"}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY + "; `INVALID_INPUT`: unknown or unconfigured "
            + "provider, malformed token or subscription, an endpoint on an internal network, a token without device id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "409", description = "`LIMIT_EXCEEDED`: more than 20 devices")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @RolesAllowed(Roles.USER)
    @PUT
    @Path("/devices/current")
    public DeviceView register(PushDeviceService.Registration request) {
        TokenClaims claims = Caller.claims(identity);
        return view(devices.register(claims.userId(), claims.deviceId(), claims.sessionId(), request), claims.deviceId());
    }

    @Operation(summary = "List the caller's push devices (tokens redacted)")
    @APIResponse(responseCode = "200", description = "[{\"deviceId\",\"provider\",\"token\",\"mutedUntil\"?,\"preview\",\"createdAt\",\"current\"}]")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @RolesAllowed(Roles.USER)
    @GET
    @Path("/devices")
    public List<DeviceView> list() {
        TokenClaims claims = Caller.claims(identity);
        return devices.list(claims.userId()).stream().map(d -> view(d, claims.deviceId())).toList();
    }

    @Operation(summary = "Unregister the calling device: it gets no more pushes")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: this device is not registered")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @RolesAllowed(Roles.USER)
    @DELETE
    @Path("/devices/current")
    public void unregister() {
        TokenClaims claims = Caller.claims(identity);
        devices.delete(claims.userId(), claims.deviceId());
    }

    @Operation(summary = "The VAPID public key browsers subscribe with (applicationServerKey)")
    @APIResponse(responseCode = "200", description = "{\"publicKey\"} (base64url)")
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: Web Push is not configured")
    @PermitAll
    @GET
    @Path("/vapid-public-key")
    public Map<String, String> vapidPublicKey() {
        return Map.of("publicKey", devices.vapidPublicKey()
                .orElseThrow(() -> ApiException.notFound("Web Push is not configured on this deployment")));
    }

    private static DeviceView view(PushDevice d, String currentDevice) {
        return new DeviceView(d.deviceId(), d.provider().wire(), d.redactedToken(),
                d.mutedUntil() == null ? null : d.mutedUntil().toEpochMilli(), d.preview().wire(),
                d.createdAt() == null ? null : d.createdAt().toEpochMilli(), d.deviceId().equals(currentDevice));
    }
}
