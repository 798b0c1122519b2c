package io.pairgate.audit;

/**
 * Receives {@link AuditEvent}s from a {@link io.pairgate.PairingService}: register one with
 * {@link io.pairgate.PairingServiceBuilder#auditListener(AuditListener)}.
 *
 * <p>Events are delivered synchronously, on the thread that made the change, after the change was
 * committed to the store, and at most once per committed change (R14 of
 * {@code docs/semantics.md}). A listener must be fast and thread-safe; hand slow work (webhooks,
 * e-mail) to your own executor. An exception thrown by a listener is logged and otherwise ignored:
 * the change it reports has already happened.
 */
@FunctionalInterface
public interface AuditListener {

  /** Called once for each event. */
  void onEvent(AuditEvent event);

  /**
   * The default listener: logs each event as one INFO line on the SLF4J logger
   * {@code io.pairgate.audit}, in the form of {@link AuditEvent#logLine()}, e.g.
   * {@code device access upgrade requested reason=scope-upgrade device=… scopesFrom=[…] …}.
   */
  static AuditListener logging() {
    return LoggingAuditListener.INSTANCE;
  }
}
