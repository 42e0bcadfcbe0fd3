package io.parley.chat.filter;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.config.FilterMode;
import io.parley.common.text.WordMatcher;
import io.parley.common.error.ErrorCode;
import io.parley.chat.protocol.FrameException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sensitive-word filter applied to text before it is stored or pushed: each tenant (an app's topics; chat
 * messages use the {@value #CHAT_TENANT} tenant) has its own word list and mode — {@code replace} masks listed
 * words, {@code reject} refuses the text with {@code CONTENT_REJECTED}. Lists come from configuration (inline
 * and/or a file, one word per line) and are compiled once at start into {@link WordMatcher}s.
 */
@Singleton // no client proxy on the per-frame path
public class ContentFilter {

    public static final String CHAT_TENANT = "chat";

    private record Policy(WordMatcher words, FilterMode mode) {
    }

    private final boolean enabled;
    private final char mask;
    private final Policy chat;
    private final Map<String, Policy> apps = new HashMap<>();

    /** A filter with one list for chat and no per-app lists (tests, benchmarks). */
    public static ContentFilter of(FilterMode mode, List<String> words) {
        return new ContentFilter(true, '*', new Policy(new WordMatcher(words), mode));
    }

    private ContentFilter(boolean enabled, char mask, Policy chat) {
        this.enabled = enabled;
        this.mask = mask;
        this.chat = chat;
    }

    @Inject
    public ContentFilter(ChatConfig config) {
        ChatConfig.Filter filter = config.filter();
        this.enabled = filter.enabled();
        this.mask = filter.mask().isEmpty() ? '*' : filter.mask().charAt(0);
        this.chat = policy(filter.words(), filter.wordsFile(), filter.mode());
        filter.tenants().forEach((tenant, t) -> apps.put(tenant,
                policy(t.words(), t.wordsFile(), t.mode().orElse(filter.mode()))));
    }

    private static Policy policy(Optional<List<String>> inline, Optional<String> file, FilterMode mode) {
        List<String> words = new ArrayList<>(inline.orElse(List.of()));
        file.ifPresent(f -> {
            try {
                words.addAll(Files.readAllLines(Path.of(f), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the word list " + f, e);
            }
        });
        return new Policy(new WordMatcher(words), mode);
    }

    /** A chat message body as it may be stored; fails with {@code CONTENT_REJECTED} in reject mode. */
    public String chatText(String text, String ref) {
        return apply(chat, text, ref);
    }

    /** A text publication of an app, filtered with that app's list (or the chat list if it has none). */
    public String appText(String appId, String text) {
        return apply(apps.getOrDefault(appId, chat), text, null);
    }

    private String apply(Policy policy, String text, String ref) {
        if (!enabled || policy.words().size() == 0) {
            return text;
        }
        if (policy.mode() == FilterMode.REJECT) {
            if (policy.words().matchesAny(text)) {
                throw new FrameException(ErrorCode.CONTENT_REJECTED, "the text contains a word that is not accepted here", ref);
            }
            return text;
        }
        return policy.words().mask(text, mask);
    }
}
