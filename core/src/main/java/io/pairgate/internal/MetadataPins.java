package io.pairgate.internal;

import io.pairgate.ClientInfo;
import java.util.Set;

/**
 * Owns the metadata pin rule (R4.7). Compares a paired device's pinned platform and device family
 * with a connecting client's. Exact matches (after v3 normalization) pass; OS version bumps within
 * the same tolerated platform family (iOS, iPadOS, Android, watchOS, macOS, with {@code
 * darwin}/{@code mac} counted as macOS) pass and refresh the pin; anything else is a metadata
 * upgrade. An empty pin is a pin like any other (an approval that saw no platform pins "empty"),
 * except on a record marked as written before pinning existed ({@link
 * io.pairgate.PairedDevice#legacyMetadata()}), where it is backfilled.
 */
final class MetadataPins {
  enum Verdict {
    MATCH,
    REFRESH,
    MISMATCH
  }

  private static final Set<String> TOLERATED = Set.of("ios", "ipados", "android", "watchos", "macos");

  private MetadataPins() {}

  static Verdict compare(ClientInfo pinned, boolean legacy, ClientInfo incoming) {
    String pf = pinned.normalizedDeviceFamily();
    String inf = incoming.normalizedDeviceFamily();
    boolean refresh = false;
    if (!pf.equals(inf)) {
      if (!pf.isEmpty() || !legacy) {
        return Verdict.MISMATCH;
      }
      refresh = true;
    }
    String pp = pinned.normalizedPlatform();
    String ip = incoming.normalizedPlatform();
    if (!pp.equals(ip)) {
      if (pp.isEmpty()) {
        if (!legacy) {
          return Verdict.MISMATCH;
        }
        refresh = true;
      } else {
        String fam = family(pp);
        if (!TOLERATED.contains(fam) || !fam.equals(family(ip))) {
          return Verdict.MISMATCH;
        }
        refresh = true;
      }
    }
    return refresh ? Verdict.REFRESH : Verdict.MATCH;
  }

  /** The leading word of a normalized platform, with macOS aliases folded. */
  static String family(String normalizedPlatform) {
    int i = 0;
    while (i < normalizedPlatform.length() && Character.isLetter(normalizedPlatform.charAt(i))) {
      i++;
    }
    String word = normalizedPlatform.substring(0, i);
    return switch (word) {
      case "darwin", "mac", "osx" -> "macos";
      default -> word;
    };
  }
}
