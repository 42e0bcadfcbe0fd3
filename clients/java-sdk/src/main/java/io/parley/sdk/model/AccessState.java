package io.parley.sdk.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Who may subscribe to the app's topics: every signed-in user ({@code public}), or else the {@code grantCount}
 * users the app granted.
 */
public record AccessState(@JsonProperty("public") boolean isPublic, long grantCount) {
}
