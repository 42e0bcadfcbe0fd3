package io.parley.chat.protocol;

import io.parley.common.error.ApiException;
import java.util.List;

/** User ids are positive integers of at most 10 digits (the contract); one rule for frames and REST bodies. */
public final class UserIds {

    public static final long MAX = 9_999_999_999L;

    private UserIds() {
    }

    public static boolean valid(long user) {
        return user > 0 && user <= MAX;
    }

    /** Every entry of a {@code users} list of a REST body is a user id, or 400. */
    public static void requireAll(List<Long> users) {
        for (Long user : users) {
            if (user == null || !valid(user)) {
                throw ApiException.invalid("users must be user ids (positive integers of at most 10 digits)");
            }
        }
    }
}
