package io.parley.sdk;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.sdk.model.AccessState;
import io.parley.sdk.model.GrantPage;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may subscribe to the app's topics ({@code {chat}/api/v1/apps/{appId}/access} and {@code …/grants}): everyone
 * signed in, or the users the app grants. Every call here is safe to repeat (setting the same state, adding a grant
 * that exists, removing one that is gone change nothing), so all are retried on 503s and timeouts too.
 */
public final class Access {

    private record PublicFlag(@JsonProperty("public") boolean isPublic) {
    }

    private record Users(List<Long> users) {
    }

    private final AppApi api;
    private final Endpoint chat;
    private final String appPath;

    Access(AppApi api, Endpoint chat, String appPath) {
        this.api = api;
        this.chat = chat;
        this.appPath = appPath;
    }

    /** Whether the app is public, and how many users it granted. */
    public AccessState get() {
        return api.send("GET", chat.resolve(appPath + "/access"), null, true, AccessState.class);
    }

    /**
     * Opens the app's topics to every signed-in user, or closes them to all but the granted; closing takes the
     * topics away from open subscriptions of users without a grant within a second.
     */
    public AccessState setPublic(boolean isPublic) {
        return api.send("PUT", chat.resolve(appPath + "/access"), new PublicFlag(isPublic), true, AccessState.class);
    }

    /** Allows these users (1–10,000 per call) to subscribe. */
    public void grant(Collection<Long> users) {
        api.send("POST", chat.resolve(appPath + "/grants"), new Users(List.copyOf(users)), true, Void.class);
    }

    public void grant(long... users) {
        grant(Arrays.stream(users).boxed().toList());
    }

    /** Withdraws the user's grant; the user's open subscriptions to the app's topics end within a second. */
    public void revoke(long user) {
        api.send("DELETE", chat.resolve(appPath + "/grants/" + user), null, true, Void.class);
    }

    /** One page of the granted users: start with {@link GrantPage#FIRST}, go on with each page's cursor. */
    public GrantPage grants(String cursor, int limit) {
        return api.send("GET", chat.resolve(appPath + "/grants?cursor=" + Endpoint.segment(cursor) + "&limit=" + limit),
                null, true, GrantPage.class);
    }

    /** Every granted user (all pages, repeats dropped). */
    public Set<Long> allGrants() {
        Set<Long> users = new LinkedHashSet<>();
        String cursor = GrantPage.FIRST;
        do {
            GrantPage page = grants(cursor, 1000);
            users.addAll(page.users());
            cursor = page.cursor();
        } while (!GrantPage.FIRST.equals(cursor));
        return users;
    }
}
