package io.parley.common.token;

/** Claim names Parley adds to the registered ones ({@code sub}, {@code iat}, {@code exp}). */
public final class TokenClaimNames {
    public static final String DEVICE = "did";
    public static final String SESSION = "sid";
    public static final String APP = "app";

    private TokenClaimNames() {
    }
}
