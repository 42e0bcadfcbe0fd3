package io.parley.common.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * An Aho–Corasick automaton over a word list: one pass over the text finds every listed word, however many
 * words there are (no per-word scan). Case-insensitive. Immutable once built; safe to share between threads.
 */
public final class WordMatcher {

    private static final class Node {
        char[] keys = new char[0];
        Node[] next = new Node[0];
        Node fail;
        /** Length of the longest listed word ending at this state (following fail links), 0 if none. */
        int longestWord;

        Node child(char c) {
            int at = Arrays.binarySearch(keys, c);
            return at >= 0 ? next[at] : null;
        }

        Node addChild(char c) {
            int at = Arrays.binarySearch(keys, c);
            if (at >= 0) {
                return next[at];
            }
            int insert = -at - 1;
            Node created = new Node();
            char[] k = new char[keys.length + 1];
            Node[] n = new Node[next.length + 1];
            System.arraycopy(keys, 0, k, 0, insert);
            System.arraycopy(next, 0, n, 0, insert);
            k[insert] = c;
            n[insert] = created;
            System.arraycopy(keys, insert, k, insert + 1, keys.length - insert);
            System.arraycopy(next, insert, n, insert + 1, next.length - insert);
            keys = k;
            next = n;
            return created;
        }
    }

    /** A listed word found in a text: {@code [start, end)}. */
    public record Match(int start, int end) {
    }

    private final Node root = new Node();
    private final int words;

    public WordMatcher(Collection<String> wordList) {
        int count = 0;
        for (String word : wordList) {
            String w = word == null ? "" : word.strip().toLowerCase(Locale.ROOT);
            if (w.isEmpty()) {
                continue;
            }
            Node node = root;
            for (int i = 0; i < w.length(); i++) {
                node = node.addChild(w.charAt(i));
            }
            node.longestWord = Math.max(node.longestWord, w.length());
            count++;
        }
        this.words = count;
        linkFailures();
    }

    /** Breadth-first: a node's fail link is the longest proper suffix of its path that is also a path. */
    private void linkFailures() {
        ArrayDeque<Node> queue = new ArrayDeque<>();
        root.fail = root;
        for (Node child : root.next) {
            child.fail = root;
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            for (int i = 0; i < node.keys.length; i++) {
                char c = node.keys[i];
                Node child = node.next[i];
                Node f = node.fail;
                while (f != root && f.child(c) == null) {
                    f = f.fail;
                }
                Node target = f.child(c);
                child.fail = target != null && target != child ? target : root;
                child.longestWord = Math.max(child.longestWord, child.fail.longestWord);
                queue.add(child);
            }
        }
    }

    public int size() {
        return words;
    }

    /** Whether the text contains any listed word. */
    public boolean matchesAny(CharSequence text) {
        if (words == 0) {
            return false;
        }
        Node state = root;
        for (int i = 0; i < text.length(); i++) {
            state = step(state, Character.toLowerCase(text.charAt(i)));
            if (state.longestWord > 0) {
                return true;
            }
        }
        return false;
    }

    /** Every listed word in the text, the longest one ending at each position. */
    public List<Match> find(CharSequence text) {
        List<Match> matches = new ArrayList<>(0);
        if (words == 0) {
            return matches;
        }
        Node state = root;
        for (int i = 0; i < text.length(); i++) {
            state = step(state, Character.toLowerCase(text.charAt(i)));
            if (state.longestWord > 0) {
                matches.add(new Match(i + 1 - state.longestWord, i + 1));
            }
        }
        return matches;
    }

    /** The text with every character of every listed word replaced by {@code mask}; the same instance if clean. */
    public String mask(String text, char mask) {
        List<Match> matches = find(text);
        if (matches.isEmpty()) {
            return text;
        }
        char[] out = text.toCharArray();
        for (Match m : matches) {
            Arrays.fill(out, m.start(), m.end(), mask);
        }
        return new String(out);
    }

    private Node step(Node state, char c) {
        Node s = state;
        while (true) {
            Node next = s.child(c);
            if (next != null) {
                return next;
            }
            if (s == root) {
                return root;
            }
            s = s.fail;
        }
    }
}
