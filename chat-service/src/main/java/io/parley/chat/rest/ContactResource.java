package io.parley.chat.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.chat.client.UserDirectory;
import io.parley.chat.contacts.ContactService;
import io.parley.chat.presence.PresenceAnnouncer;
import io.parley.chat.presence.PresenceService;
import io.parley.chat.store.ContactRepository;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.BearerTokenAuthMechanism;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * Contacts: add, list with presence, remove. Presence is shared only between mutual contacts (both added each
 * other); a one-sided contact is listed with status {@code pending}. Blocking (MySQL): worker threads.
 */
@Tag(name = "contacts", description = "Contacts and presence (shared between mutual contacts)")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@Path("/api/v1/contacts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER)
public class ContactResource {

    /** {@code {"user": id}}. */
    public record AddContactRequest(Long user) {
    }

    /** One contact: {@code status} {@code online}/{@code offline} (mutual) or {@code pending}; {@code lastSeen} when offline. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContactView(long user, String status, Long lastSeen, boolean mutual, long addedAt) {
    }

    public record ContactList(List<ContactView> contacts) {
    }

    private final ContactService contacts;
    private final PresenceService presence;
    private final PresenceAnnouncer announcer;
    private final UserDirectory users;
    private final SecurityIdentity identity;

    public ContactResource(ContactService contacts, PresenceService presence, PresenceAnnouncer announcer,
                           UserDirectory users, SecurityIdentity identity) {
        this.contacts = contacts;
        this.presence = presence;
        this.announcer = announcer;
        this.users = users;
        this.identity = identity;
    }

    @Operation(summary = "Add a contact",
            description = "Idempotent. Presence is shared once both added each other (mutual).")
    @APIResponse(responseCode = "201", description = "{\"user\",\"status\",\"lastSeen\"?,\"mutual\",\"addedAt\"}")
    @APIResponse(responseCode = "400",
            description = ApiDocs.INVALID_BODY + "; `INVALID_ID`: not a user id; `INVALID_INPUT`: yourself")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: unknown user")
    @APIResponse(responseCode = "409", description = "`LIMIT_EXCEEDED`: past 5,000 contacts")
    @POST
    @ResponseStatus(201)
    public ContactView add(AddContactRequest request, @Context HttpServerRequest http) {
        if (request == null || request.user() == null) {
            throw ApiException.invalid("a JSON body {user: id} is required");
        }
        long contact = GroupResource.userId(Long.toString(request.user()));
        long owner = caller();
        if (contact != owner && !users.exists(contact, BearerTokenAuthMechanism.extract(http)).await().atMost(Duration.ofSeconds(5))) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no user " + contact);
        }
        boolean mutual = contacts.add(owner, contact);
        Map<Long, PresenceService.Status> statuses = presence.statusOf(List.of(contact, owner));
        if (mutual) {
            // the other side added the caller earlier and sees them as pending: show them the caller's presence now
            announcer.announceTo(contact, owner, statuses.get(owner));
        }
        return view(contact, mutual, System.currentTimeMillis(), statuses.get(contact));
    }

    @Operation(summary = "List contacts with presence",
            description = "status online/offline for mutual contacts, pending while the other side has not added the "
            + "caller.")
    @APIResponse(responseCode = "200",
            description = "{\"contacts\":[{\"user\",\"status\",\"lastSeen\"?,\"mutual\",\"addedAt\"}]}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @GET
    public ContactList list() {
        List<ContactRepository.Contact> mine = contacts.list(caller());
        Map<Long, PresenceService.Status> statuses = presence.statusOf(
                mine.stream().filter(ContactRepository.Contact::mutual).map(ContactRepository.Contact::user).toList());
        List<ContactView> out = new ArrayList<>(mine.size());
        for (ContactRepository.Contact c : mine) {
            out.add(view(c.user(), c.mutual(), c.addedAt(), statuses.get(c.user())));
        }
        return new ContactList(out);
    }

    @Operation(summary = "Remove a contact")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: not a contact")
    @DELETE
    @Path("/{user}")
    @ResponseStatus(204)
    public void remove(@PathParam("user") String user) {
        contacts.remove(caller(), GroupResource.userId(user));
    }

    private static ContactView view(long user, boolean mutual, long addedAt, PresenceService.Status status) {
        if (!mutual || status == null) {
            return new ContactView(user, "pending", null, mutual, addedAt);
        }
        return new ContactView(user, status.online() ? "online" : "offline",
                status.online() || status.lastSeen() == 0 ? null : status.lastSeen(), true, addedAt);
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }
}
