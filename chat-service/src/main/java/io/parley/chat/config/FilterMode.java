package io.parley.chat.config;

/** What the sensitive-word filter does with a listed word: {@code replace} masks it, {@code reject} refuses the text. */
public enum FilterMode { REPLACE, REJECT }
