package io.parley.auth.rest;

import io.parley.common.error.ApiException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code ids} query parameter of {@code GET /api/v1/users}: comma-separated user ids, repeats counted once. */
final class UserIdsParameter {

    private static final Pattern USER_ID = Pattern.compile("[0-9]{1,10}");

    private UserIdsParameter() {
    }

    /** The distinct ids in the order first given; 400 {@code INVALID_INPUT} for none, a non-id or more than {@code max}. */
    static Set<Long> parse(String ids, int max) {
        if (ids == null || ids.isEmpty()) {
            throw ApiException.invalid("ids must list 1-" + max + " user ids, separated by commas");
        }
        Set<Long> distinct = new LinkedHashSet<>();
        for (String id : ids.split(",", -1)) {
            long userId = USER_ID.matcher(id).matches() ? Long.parseLong(id) : 0;
            if (userId <= 0) {
                throw ApiException.invalid("ids: '" + abbreviated(id) + "' is not a user id (a positive integer of at most 10 digits)");
            }
            distinct.add(userId);
            if (distinct.size() > max) {
                throw ApiException.invalid("ids may list at most " + max + " user ids");
            }
        }
        return distinct;
    }

    private static String abbreviated(String id) {
        return id.length() <= 20 ? id : id.substring(0, 20) + "…";
    }
}
