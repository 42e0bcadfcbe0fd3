package io.parley.sdk.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.it.TestPlatform.App;
import io.parley.sdk.it.TestPlatform.User;
import io.parley.sdk.model.AccessState;
import io.parley.sdk.model.GrantPage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Access and grants as the app manages them, and what a user's subscription then gets. */
class AccessIT {

    @Test
    void publicFlagGrantCountAndTheGrantListFollowTheCalls() {
        ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp()).build();
        assertEquals(new AccessState(false, 0), parley.access().get());

        assertEquals(new AccessState(true, 0), parley.access().setPublic(true));
        assertEquals(new AccessState(true, 0), parley.access().setPublic(true), "setting it again changes nothing");
        assertEquals(new AccessState(false, 0), parley.access().setPublic(false));

        parley.access().grant(11, 12, 13, 14, 15);
        parley.access().grant(List.of(15L, 16L));
        assertEquals(new AccessState(false, 6), parley.access().get());

        Set<Long> paged = new HashSet<>();
        String cursor = GrantPage.FIRST;
        do {
            GrantPage page = parley.access().grants(cursor, 2);
            paged.addAll(page.users());
            cursor = page.cursor();
        } while (!GrantPage.FIRST.equals(cursor));
        assertEquals(Set.of(11L, 12L, 13L, 14L, 15L, 16L), paged, "every page to the cursor's end");

        parley.access().revoke(13);
        parley.access().revoke(13);
        assertEquals(Set.of(11L, 12L, 14L, 15L, 16L), parley.access().allGrants());
        assertEquals(new AccessState(false, 5), parley.access().get());
    }

    @Test
    void manyGrantsComeInSeveralPages() {
        ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp()).build();
        // past 512 members Redis keeps a set as a hash table, and SSCAN pages by the limit (below, whole)
        List<Long> users = LongStream.rangeClosed(1_000, 1_699).boxed().toList();
        parley.access().grant(users);
        assertEquals(700, parley.access().get().grantCount());

        Set<Long> paged = new HashSet<>();
        String cursor = GrantPage.FIRST;
        int pages = 0;
        do {
            GrantPage page = parley.access().grants(cursor, 100);
            paged.addAll(page.users());
            cursor = page.cursor();
            pages++;
        } while (!GrantPage.FIRST.equals(cursor) && pages < 1_000);
        assertEquals(Set.copyOf(users), paged);
        assertTrue(pages > 1, "700 grants at 100 a page came in " + pages + " page(s)");
        assertEquals(Set.copyOf(users), parley.access().allGrants());
    }

    @Test
    void aRevokedUserLosesTheTopics() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(app).build();
        User user = TestPlatform.signUp();
        parley.access().grant(user.id());

        try (FrameSocket socket = FrameSocket.open(TestPlatform.webSocket("/ws/chat", user))) {
            socket.send(Map.of("type", "subscribe", "appId", app.appId(), "topics", List.of("alerts")));
            socket.awaitFrame("subscribed", f -> f.path("type").asText().equals("subscribed"));

            parley.access().revoke(user.id());

            JsonNode gone = socket.awaitFrame("unsubscribed for FORBIDDEN",
                    f -> f.path("type").asText().equals("unsubscribed") && f.path("reason").asText().equals("FORBIDDEN"));
            assertEquals(app.appId(), gone.get("appId").asText());
        }
    }
}
