package io.parley.id.rest;

/** {@code {"ids": [...]}}: 34-character ids, or Snowflakes as decimal strings (JavaScript cannot hold 64 bits). */
public record IdsResponse(String[] ids) {
}
