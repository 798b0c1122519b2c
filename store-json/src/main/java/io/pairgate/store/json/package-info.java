/**
 * The embedded default {@link io.pairgate.spi.PairingStore}: a directory of JSON files, one per
 * device, that an operator can read and back up, that survives {@code kill -9} and power loss, and
 * that a gateway and the {@code pairgate} CLI can share from two processes. Start with
 * {@link io.pairgate.store.json.JsonPairingStore#open(java.nio.file.Path)}; move pairings over from
 * OpenClaw with {@link io.pairgate.store.json.OpenClawFiles}. The on-disk format is described in
 * {@code docs/store-json.md}.
 */
@NullMarked
package io.pairgate.store.json;

import org.jspecify.annotations.NullMarked;
