package io.pairgate.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each event as one INFO line. */
final class LoggingAuditListener implements AuditListener {
  static final LoggingAuditListener INSTANCE = new LoggingAuditListener();
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.audit");

  private LoggingAuditListener() {}

  @Override
  public void onEvent(AuditEvent event) {
    if (LOG.isInfoEnabled()) {
      LOG.info(event.logLine());
    }
  }

  @Override
  public String toString() {
    return "AuditListener.logging()";
  }
}
