package io.pairgate.store.json;

import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Coalesced access times of one device, not yet written: the latest "seen" instant and, per role,
 * the latest token use. Merging keeps the later instant of each.
 *
 * @param seen latest connect
 * @param used latest token use per role
 */
record Touch(Instant seen, Map<Role, Instant> used) {

  Touch {
    used = Map.copyOf(used);
  }

  static Touch of(Role role, Instant at) {
    return new Touch(at, Map.of(role, at));
  }

  static Touch merge(Touch a, Touch b) {
    Map<Role, Instant> used = new HashMap<>(a.used);
    b.used.forEach((r, t) -> used.merge(r, t, Touch::later));
    return new Touch(later(a.seen, b.seen), used);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isBefore(b) ? b : a;
  }

  /**
   * {@code r} with these times applied where they are later than the stored ones (same version);
   * {@code r} itself when nothing changes. The merge is core's
   * {@link DeviceRecord#withAccessTimes}.
   */
  static @Nullable DeviceRecord apply(@Nullable DeviceRecord r, Touch t) {
    return r == null ? null : r.withAccessTimes(t.seen, t.used);
  }
}
