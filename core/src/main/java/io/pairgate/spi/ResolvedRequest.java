package io.pairgate.spi;

import io.pairgate.InvalidArgumentException;
import io.pairgate.RequestId;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A remembered request id that is no longer pending (a tombstone), kept so that a late approval
 * gets the right answer instead of "unknown". Tombstones live in their device's record, are
 * bounded in number per device and are dropped after the service's retention period.
 *
 * @param requestId the resolved id
 * @param outcome how it was resolved
 * @param successorRequestId for {@link Resolution#SUPERSEDED}, the id that replaced it; else null
 * @param resolvedAt when it was resolved
 */
public record ResolvedRequest(
    RequestId requestId, Resolution outcome, @Nullable RequestId successorRequestId,
    Instant resolvedAt) {

  /** How a request stopped being pending. */
  public enum Resolution {
    /** An operator (or a silent policy) approved it. */
    APPROVED,
    /** An operator rejected it, or it was dropped by block or remove. */
    REJECTED,
    /** A wider request from the same device replaced it. */
    SUPERSEDED,
    /** Its time ran out and a later connect replaced it. */
    EXPIRED;

    /** Lowercase name for storage formats. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@link #wireName()} exactly (case-sensitive).
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static Resolution fromWireName(String s) {
      for (Resolution v : values()) {
        if (v.wireName().equals(s)) {
          return v;
        }
      }
      throw new InvalidArgumentException("unknown resolution wire name: " + InvalidArgumentException.quote(s));
    }
  }
}
