/**
 * The store SPI: what a persistence back end implements so that a {@link io.pairgate.PairingService}
 * can keep its state there. One {@link io.pairgate.spi.DeviceRecord} per device, changed only by
 * compare-and-set on its version.
 */
@NullMarked
package io.pairgate.spi;

import org.jspecify.annotations.NullMarked;
