package io.pairgate;

import io.pairgate.audit.AuditEvent;
import io.pairgate.audit.AuditListener;
import java.util.ArrayList;
import java.util.List;

/** Keeps every audit event it receives. */
final class RecordingListener implements AuditListener {
  private final List<AuditEvent> events = new ArrayList<>();

  @Override
  public synchronized void onEvent(AuditEvent event) {
    events.add(event);
  }

  synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<String> types() {
    return events.stream().map(AuditEvent::type).toList();
  }

  synchronized <T extends AuditEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  synchronized void clear() {
    events.clear();
  }
}
