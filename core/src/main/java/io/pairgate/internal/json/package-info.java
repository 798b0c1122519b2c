/**
 * Pairgate's one JSON reader ({@link io.pairgate.internal.json.JsonReader}) and the one
 * {@link io.pairgate.spi.DeviceRecord} document codec ({@link io.pairgate.internal.json.RecordJson})
 * that both stores write byte for byte. Not an API: core's module exports this package only to
 * Pairgate's own store and testkit modules, and anything here may change in any release.
 */
@NullMarked
package io.pairgate.internal.json;

import org.jspecify.annotations.NullMarked;
