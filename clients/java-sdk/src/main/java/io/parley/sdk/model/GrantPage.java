package io.parley.sdk.model;

import java.util.List;

/**
 * One page of an app's grants. Pages follow Redis SSCAN: order unspecified, a user may appear on more than one page,
 * and {@code cursor} {@code "0"} means there is no further page.
 */
public record GrantPage(List<Long> users, String cursor) {

    /** The cursor that starts a listing. */
    public static final String FIRST = "0";

    /** Whether this was the last page. */
    public boolean isLast() {
        return FIRST.equals(cursor);
    }
}
