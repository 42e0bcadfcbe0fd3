package io.parley.sdk.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.sdk.ParleyClient;
import io.parley.sdk.auth.TokenSource;
import io.parley.sdk.error.AuthenticationException;
import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.error.ForbiddenException;
import io.parley.sdk.error.InvalidRequestException;
import io.parley.sdk.error.ParleyConnectionException;
import io.parley.sdk.it.TestPlatform.App;
import io.parley.sdk.model.InAppNotification;
import io.parley.testsupport.FreePort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failures arrive typed, with the contract's code and status. */
class ErrorsIT {

    @Test
    void aBadTopicIsInvalidInput() {
        ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp()).build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> parley.topics().publish("no spaces allowed!", "x"));
        assertEquals(ErrorCodes.INVALID_INPUT, e.code());
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("topic"), e.getMessage());

        InvalidRequestException tooLong = assertThrows(InvalidRequestException.class,
                () -> parley.topics().publish("t".repeat(129), "x"));
        assertEquals(ErrorCodes.INVALID_INPUT, tooLong.code());
    }

    @Test
    void actingOnAnotherAppIsForbidden() {
        App mine = TestPlatform.createApp();
        App theirs = TestPlatform.createApp();
        TokenSource myTokens = TestPlatform.clientOf(mine).build().tokens();
        ParleyClient trespasser = TestPlatform.clientOf(theirs).tokenSource(myTokens).build();

        ForbiddenException publish = assertThrows(ForbiddenException.class,
                () -> trespasser.topics().publish("news", "hello"));
        assertEquals(ErrorCodes.FORBIDDEN, publish.code());
        assertEquals(403, publish.status());
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(ForbiddenException.class, () -> trespasser.access().get()).code());
        assertEquals(ErrorCodes.FORBIDDEN, assertThrows(ForbiddenException.class,
                () -> trespasser.inApp().send(InAppNotification.of(List.of(1L), "t", "b"))).code());
    }

    @Test
    void aWrongApiKeyIsBadApiKey() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(new App(app.appId(), "pk_not-the-key")).build();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> parley.access().get());
        assertEquals(ErrorCodes.BAD_API_KEY, e.code());
        assertEquals(401, e.status());
    }

    @Test
    void anUnreachableServiceIsAConnectionFailureAfterTheRetries() {
        ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp())
                .chatUrl("http://127.0.0.1:" + FreePort.find()).build();
        ParleyConnectionException e = assertThrows(ParleyConnectionException.class,
                () -> parley.topics().publish("news", "hello"));
        assertEquals(ErrorCodes.CONNECTION_FAILED, e.code());
        assertEquals(0, e.status());
        assertEquals(false, e.requestSent());
    }
}
