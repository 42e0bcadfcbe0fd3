package io.parley.chat.rest;

import io.parley.chat.protocol.TopicNames;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/** The app endpoints' rule: an app token acts only on its own app. */
final class OwnApp {

    private OwnApp() {
    }

    /** 400 {@code INVALID_ID} for what is not an app id, 403 {@code FORBIDDEN} for another app's token. */
    static void require(SecurityIdentity identity, String appId) {
        if (!TopicNames.validApp(appId)) {
            throw new ApiException(ErrorCode.INVALID_ID, "not an app id");
        }
        if (!appId.equals(Caller.claims(identity).appId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an app token may act only on its own app");
        }
    }
}
