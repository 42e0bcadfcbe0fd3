package io.parley.chat.protocol;

/** Group ids are decimal strings of up to 19 digits (allocated from the global sequence). */
public final class GroupIds {

    private GroupIds() {
    }

    public static boolean valid(String id) {
        if (id == null || id.isEmpty() || id.length() > 19) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The id as an error message may quote it: at most 40 characters. */
    public static String abbreviated(String id) {
        return id == null ? "null" : id.length() <= 40 ? id : id.substring(0, 40) + "…";
    }
}
