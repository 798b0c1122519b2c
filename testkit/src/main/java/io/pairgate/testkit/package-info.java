/**
 * Pairgate's testkit, for the test scope of gateways, store implementations and other-language
 * ports: the {@link io.pairgate.testkit.PairingStoreContract store conformance suite}, sample
 * records and keys ({@link io.pairgate.testkit.SampleRecords}).
 */
@NullMarked
package io.pairgate.testkit;

import org.jspecify.annotations.NullMarked;
