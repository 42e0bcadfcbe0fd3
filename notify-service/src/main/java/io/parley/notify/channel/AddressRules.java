package io.parley.notify.channel;

import io.parley.common.error.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a valid address of each channel type is; the normalised form is what is stored and compared. */
final class AddressRules {

    // one @, something on each side, a dot in the domain, no whitespace or control characters (no header injection)
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\\p{Cntrl}]{1,64}@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}.]+");
    private static final Pattern OPEN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private AddressRules() {
    }

    static String normalise(ChannelType type, String address, int maxChars) {
        if (address == null || address.isBlank()) {
            throw ApiException.invalid("address is required");
        }
        String trimmed = address.trim();
        if (trimmed.length() > maxChars) {
            throw ApiException.invalid("address is longer than " + maxChars + " characters");
        }
        return switch (type) {
            case EMAIL -> email(trimmed);
            case WEBHOOK -> url(trimmed);
            case WECHAT -> openId(trimmed);
        };
    }

    private static String email(String address) {
        if (!EMAIL.matcher(address).matches()) {
            throw ApiException.invalid("not an email address");
        }
        int at = address.lastIndexOf('@');
        // the domain is case-insensitive; the local part is kept as given
        return address.substring(0, at) + "@" + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    private static String url(String address) {
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalid("a webhook address must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.invalid("a webhook address needs a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid("a webhook address must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw ApiException.invalid("a webhook address must not have a fragment");
        }
        return address;
    }

    private static String openId(String address) {
        if (!OPEN_ID.matcher(address).matches()) {
            throw ApiException.invalid("a wechat address is the user's open id: 1-64 of [A-Za-z0-9_-]");
        }
        return address;
    }
}
