package io.parley.chat.support;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/** This service's {@code Clock} bean in tests: {@link io.parley.testsupport.MovableClock}, moved by the tests. */
@Alternative
@Priority(1)
@Singleton
public class MovableClock extends io.parley.testsupport.MovableClock {
}
