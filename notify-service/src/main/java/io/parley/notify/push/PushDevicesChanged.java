package io.parley.notify.push;

import java.util.Set;

/**
 * Announced (a synchronous CDI event) after the push devices of these users changed in MySQL: a registration, an
 * unregistration, a token moved to another user, a device removed because its session ended or the provider
 * declared its token gone. The repository announces rather than calling the Redis index by name.
 */
public record PushDevicesChanged(Set<Long> users) {
}
