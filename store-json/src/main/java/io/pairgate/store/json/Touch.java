package io.pairgate.store.json;

import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
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
   * {@code r} itself when nothing changes.
   */
  static @Nullable DeviceRecord apply(@Nullable DeviceRecord r, Touch t) {
    if (r == null || r.paired() == null) {
      return r;
    }
    PairedDevice p = r.paired();
    PairedDevice next = p;
    if (p.lastSeenAt() == null || p.lastSeenAt().isBefore(t.seen)) {
      next = next.withLastSeenAt(t.seen);
    }
    Map<Role, DeviceToken> tokens = null;
    for (Map.Entry<Role, Instant> e : t.used.entrySet()) {
      DeviceToken tok = p.token(e.getKey());
      if (tok != null && (tok.lastUsedAt() == null || tok.lastUsedAt().isBefore(e.getValue()))) {
        if (tokens == null) {
          tokens = new HashMap<>(p.tokens());
        }
        tokens.put(e.getKey(), tok.withLastUsedAt(e.getValue()));
      }
    }
    if (tokens != null) {
      next = next.withTokens(tokens);
    }
    if (next == p) {
      return r;
    }
    return new DeviceRecord(r.deviceId(), r.version(), next, r.pending(), r.blocked(),
        r.resolved());
  }
}
