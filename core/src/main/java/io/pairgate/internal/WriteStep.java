package io.pairgate.internal;

import io.pairgate.audit.AuditEvent;
import io.pairgate.spi.DeviceRecord;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt on a record snapshot produced: a result, maybe a record to write, and the audit
 * events to deliver once the write (if any) committed. The {@link Transactor} applies it.
 */
record WriteStep<T>(@Nullable DeviceRecord write, T result, List<AuditEvent> events) {

  static <T> WriteStep<T> done(T result) {
    return new WriteStep<>(null, result, List.of());
  }

  static <T> WriteStep<T> write(DeviceRecord next, T result, List<AuditEvent> events) {
    return new WriteStep<>(next, result, events);
  }
}
