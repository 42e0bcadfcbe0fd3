package io.parley.chat.support;

import java.util.Arrays;
import java.util.List;
import org.hamcrest.CustomMatcher;
import org.hamcrest.Matcher;

/**
 * Matchers for user ids in RestAssured bodies: its JSON reader gives a small number as an {@code Integer} and a large
 * one as a {@code Long}, so ids are compared by value.
 */
public final class JsonIds {

    private JsonIds() {
    }

    /** One user id. */
    public static Matcher<Object> userId(long expected) {
        return new CustomMatcher<>("user id " + expected) {
            @Override
            public boolean matches(Object actual) {
                return actual instanceof Number number && number.longValue() == expected;
            }
        };
    }

    /** A list of user ids, in this order. */
    public static Matcher<Object> userIds(long... expected) {
        List<Long> wanted = Arrays.stream(expected).boxed().toList();
        return new CustomMatcher<>("user ids " + wanted) {
            @Override
            public boolean matches(Object actual) {
                return actual instanceof List<?> list && list.stream().allMatch(Number.class::isInstance)
                        && list.stream().map(n -> ((Number) n).longValue()).toList().equals(wanted);
            }
        };
    }
}
