/**
 * Audit events: what changed in a {@link io.pairgate.PairingService} and what it refused, as typed
 * {@link io.pairgate.audit.AuditEvent}s delivered to {@link io.pairgate.audit.AuditListener}s after
 * each change is committed. The default listener logs one {@code key=value} line per event.
 */
@NullMarked
package io.pairgate.audit;

import org.jspecify.annotations.NullMarked;
