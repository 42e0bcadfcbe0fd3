package io.parley.sdk.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.error.ConflictException;
import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.error.NotFoundException;
import io.parley.sdk.it.TestPlatform.App;
import io.parley.sdk.it.TestPlatform.User;
import io.parley.sdk.model.Channel;
import io.parley.sdk.model.Delivery;
import io.parley.sdk.model.InAppNotification;
import io.parley.sdk.model.InAppReceipt;
import io.parley.sdk.model.Notification;
import io.parley.sdk.model.NotificationStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** In-app notifications land on the user's {@code /ws/notify}; notify-service's delivery status is readable. */
class NotificationsIT {

    @Test
    void anInAppNotificationLandsOnTheUsersNotifySocket() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(app).build();
        User user = TestPlatform.signUp();

        try (FrameSocket inbox = FrameSocket.open(TestPlatform.webSocket("/ws/notify", user))) {
            InAppReceipt receipt = parley.inApp().send(InAppNotification.of(List.of(user.id()), "Order shipped", "No. 42")
                    .withId("order-42-shipped").withData(Map.of("order", 42)));
            assertEquals("order-42-shipped", receipt.id());
            assertEquals(List.of(user.id()), receipt.accepted());

            JsonNode frame = inbox.awaitFrame("the notification",
                    f -> f.path("type").asText().equals("notification") && f.path("id").asText().equals("order-42-shipped"));
            assertEquals("Order shipped", frame.get("title").asText());
            assertEquals("No. 42", frame.get("body").asText());
        }
    }

    @Test
    void aNotifyServiceNotificationIsDeliveredInAppAndItsStatusIsReadable() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(app).build();
        User user = TestPlatform.signUp();

        try (FrameSocket inbox = FrameSocket.open(TestPlatform.webSocket("/ws/notify", user))) {
            String id = parley.notifications().send(Notification.of(List.of(user.id()), "Payment received", "EUR 12.00",
                    Channel.INAPP).withData(Map.of("amount", 1200)));

            inbox.awaitFrame("the notification via notify-service",
                    f -> f.path("type").asText().equals("notification") && f.path("title").asText().equals("Payment received"));
            NotificationStatus status = await().atMost(Duration.ofSeconds(30))
                    .until(() -> parley.notifications().status(id),
                            s -> s.deliveries().size() == 1 && s.deliveries().get(0).status().equals(Delivery.DELIVERED));
            assertEquals(id, status.id());
            assertEquals("Payment received", status.title());
            Delivery delivery = status.deliveries().get(0);
            assertEquals(user.id(), delivery.user());
            assertEquals("inapp", delivery.channel());
            assertEquals(id, delivery.notification());

            assertTrue(parley.deliveries().withStatus(Delivery.DELIVERED).stream().anyMatch(d -> d.id().equals(delivery.id())),
                    "the app's delivered deliveries list it");
            assertTrue(parley.deliveries().dead().stream().noneMatch(d -> d.id().equals(delivery.id())));
            ConflictException notDead = assertThrows(ConflictException.class, () -> parley.deliveries().replay(delivery.id()));
            assertEquals(ErrorCodes.CONFLICT, notDead.code());
            assertEquals(409, notDead.status());
        }
    }

    @Test
    void anotherAppsNotificationIsNotFound() {
        App app = TestPlatform.createApp();
        User user = TestPlatform.signUp();
        String id = TestPlatform.clientOf(app).build().notifications()
                .send(Notification.of(List.of(user.id()), "Hi", "there", Channel.INAPP));

        ParleyClient other = TestPlatform.clientOf(TestPlatform.createApp()).build();
        NotFoundException e = assertThrows(NotFoundException.class, () -> other.notifications().status(id));
        assertEquals(ErrorCodes.NOT_FOUND, e.code());
        assertThrows(NotFoundException.class, () -> other.deliveries().replay("123456789"));
    }
}
