package io.parley.common.id;

import io.smallrye.mutiny.Uni;

/**
 * Where blocks of the global sequence come from. Guarantee: two leases never overlap, and each lease
 * starts above every earlier one, so ids allocated in order from successive blocks increase.
 */
public interface SequenceBlockSource {

    Uni<SequenceBlock> lease(int size);
}
