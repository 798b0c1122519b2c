package io.pairgate.store.jdbc;

import io.pairgate.RequestId;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.TokenHash;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.internal.json.JsonReader;
import io.pairgate.internal.json.RecordJson;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The text form of a {@link DeviceRecord} in the {@code record_json} column. Every row is written
 * as the shared record document of core's {@link RecordJson} (record format
 * {@value RecordJson#FORMAT_VERSION}, byte for byte what store-json writes in a device file),
 * read by core's one {@link JsonReader}. The older compact documents of this store ({@code "v":1},
 * plaintext token secrets, and {@code "v":2}) are still read, over the same reader's tree; the
 * reader accepts exactly what those writers produced: known keys only, each exactly once, with the
 * right types. Anything else is an {@link IllegalArgumentException} that the store reports as a
 * {@link io.pairgate.StoreCorruptException}.
 *
 * <p>The device id and version live in their own columns; a format-3 document repeats them, and
 * they must agree.
 */
final class RecordCodec {
  /**
   * The last compact format version of this store ({@code "v"}), still read. Version 2 holds each token's
   * SHA-256 hash ({@code "hash"}, null while it awaits issue) and added {@code browserOrigin}
   * (paired and pending) and {@code lastSeenReason} (paired); version 1 held the plaintext secret
   * ({@code "secret"}) and lacks those fields, and is still read (hashing the secret as it is read,
   * the new fields empty) so that {@link TokenUpgrade} can rewrite it. New rows are written in
   * the shared format {@value RecordJson#FORMAT_VERSION}.
   */
  static final int COMPACT_FORMAT_VERSION = 2;
  /** The format version that held token secrets in plaintext. */
  static final int PLAINTEXT_TOKENS_VERSION = 1;

  private static final Set<String> RECORD_KEYS =
      Set.of("v", "blocked", "paired", "pending", "resolved");
  private static final Set<String> PAIRED_KEYS_V1 =
      Set.of("publicKey", "roles", "approvedScopes", "client", "label", "tokens", "createdAt",
          "approvedAt", "lastSeenAt", "approvedVia", "remoteAddress");
  private static final Set<String> PAIRED_KEYS = plus(PAIRED_KEYS_V1, "browserOrigin",
      "lastSeenReason");
  /** A record from before metadata pinning carries {@code "legacyMetadata": true} as well. */
  private static final Set<String> LEGACY_PAIRED_KEYS = union(PAIRED_KEYS, "legacyMetadata");
  private static final Set<String> LEGACY_PAIRED_KEYS_V1 = union(PAIRED_KEYS_V1, "legacyMetadata");
  private static final Set<String> TOKEN_KEYS =
      Set.of("role", "scopes", "hash", "createdAt", "rotatedAt", "revokedAt", "lastUsedAt");
  private static final Set<String> TOKEN_KEYS_V1 =
      Set.of("role", "scopes", "secret", "createdAt", "rotatedAt", "revokedAt", "lastUsedAt");
  private static final Set<String> PENDING_KEYS_V1 =
      Set.of("requestId", "publicKey", "role", "roles", "scopes", "client", "remoteAddress",
          "createdAt", "refreshedAt", "expiresAt", "repair", "reason");
  private static final Set<String> PENDING_KEYS = plus(PENDING_KEYS_V1, "browserOrigin");
  private static final Set<String> CLIENT_KEYS =
      Set.of("clientId", "clientMode", "platform", "deviceFamily", "displayName", "version");
  private static final Set<String> RESOLVED_KEYS =
      Set.of("requestId", "outcome", "successorRequestId", "resolvedAt");

  private RecordCodec() {}

  private static Set<String> union(Set<String> keys, String extra) {
    java.util.HashSet<String> out = new java.util.HashSet<>(keys);
    out.add(extra);
    return Set.copyOf(out);
  }

  private static Set<String> plus(Set<String> base, String... more) {
    java.util.HashSet<String> s = new java.util.HashSet<>(base);
    s.addAll(List.of(more));
    return Set.copyOf(s);
  }


  // ---------------------------------------------------------------------------------------------
  // writing

  /** The shared record document ({@link RecordJson}, format {@value RecordJson#FORMAT_VERSION}). */
  static String encode(DeviceRecord r) {
    return RecordJson.encode(r);
  }

  // ---------------------------------------------------------------------------------------------
  // reading

  /**
   * Parses a document written by {@link #encode}.
   *
   * @throws IllegalArgumentException (or another runtime exception from the model's validation)
   *     if the text is not exactly such a document
   */
  static DeviceRecord decode(DeviceId deviceId, long version, String text) {
    try {
      return decodeChecked(deviceId, version, text);
    } catch (IllegalArgumentException | io.pairgate.PairgateException
        | java.time.DateTimeException e) {
      // no cause attached: its text may quote the stored record (a token secret among it)
      throw new IllegalArgumentException(redact(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Error text that may name fields but shows stored values only as an excerpt: every quoted span
   * cut to 8 characters, control characters made visible.
   */
  static String redact(String message) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"([^\"]*)\"|'([^']*)'").matcher(message);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String q = m.group(1) != null ? "\"" : "'";
      String inner = m.group(1) != null ? m.group(1) : m.group(2);
      String cut = inner.length() <= 8 ? inner : inner.substring(0, 8) + "\u2026";
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(q + cut + q));
    }
    m.appendTail(b);
    StringBuilder out = new StringBuilder(Math.min(b.length(), 300));
    for (int i = 0; i < b.length() && i < 300; i++) {
      char c = b.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return out.toString();
  }

  private static DeviceRecord decodeChecked(DeviceId deviceId, long version, String text) {
    Object tree = JsonReader.parse(text);
    if (tree instanceof Map<?, ?> m && !m.containsKey("v")) {
      if (m.get("formatVersion") instanceof Long fv && fv > RecordJson.FORMAT_VERSION) {
        throw new IllegalArgumentException("record format version " + fv + " was written by a"
            + " newer Pairgate; this version reads formats " + PLAINTEXT_TOKENS_VERSION + " to "
            + RecordJson.FORMAT_VERSION);
      }
      DeviceRecord r = RecordJson.read(tree);
      if (!r.deviceId().equals(deviceId)) {
        throw new IllegalArgumentException("deviceId: the document holds another device than its"
            + " row");
      }
      if (r.version() != version) {
        throw new IllegalArgumentException("version: the document holds version " + r.version()
            + " but its row " + version);
      }
      return r;
    }
    Obj root = Obj.of(tree, "record");
    root.requireKeys(RECORD_KEYS);
    long v = root.integer("v");
    if (v != COMPACT_FORMAT_VERSION && v != PLAINTEXT_TOKENS_VERSION) {
      throw new IllegalArgumentException("record format version " + v
          + (v > COMPACT_FORMAT_VERSION ? " was written by a newer Pairgate" : " is unknown")
          + "; this version reads formats " + PLAINTEXT_TOKENS_VERSION + " and " + COMPACT_FORMAT_VERSION + " (and the shared format "
          + RecordJson.FORMAT_VERSION + ")");
    }
    boolean v1 = v == PLAINTEXT_TOKENS_VERSION;
    Obj pairedObj = root.nullableObj("paired");
    Obj pendingObj = root.nullableObj("pending");
    List<ResolvedRequest> resolved = new ArrayList<>();
    for (Object o : root.array("resolved")) {
      Obj r = Obj.of(o, "resolved[]");
      r.requireKeys(RESOLVED_KEYS);
      resolved.add(new ResolvedRequest(
          RequestId.of(r.string("requestId")),
          ResolvedRequest.Resolution.fromWireName(r.string("outcome")),
          RequestId.ofEmptyAsNull(r.string("successorRequestId")), r.instant("resolvedAt")));
    }
    return new DeviceRecord(
        deviceId, version,
        pairedObj == null ? null : readPaired(deviceId, pairedObj, v1),
        pendingObj == null ? null : readPending(deviceId, pendingObj, v1),
        root.bool("blocked"), resolved);
  }

  private static PairedDevice readPaired(DeviceId id, Obj p, boolean v1) {
    boolean legacy = p.map.containsKey("legacyMetadata");
    p.requireKeys(legacy ? (v1 ? LEGACY_PAIRED_KEYS_V1 : LEGACY_PAIRED_KEYS)
        : (v1 ? PAIRED_KEYS_V1 : PAIRED_KEYS));
    legacy = legacy && p.bool("legacyMetadata");
    boolean plaintext = v1;
    Map<Role, DeviceToken> tokens = new HashMap<>();
    Obj tokenMap = p.obj("tokens");
    for (Map.Entry<String, @Nullable Object> e : tokenMap.map.entrySet()) {
      Obj t = Obj.of(e.getValue(), "tokens." + e.getKey());
      t.requireKeys(plaintext ? TOKEN_KEYS_V1 : TOKEN_KEYS);
      TokenHash hash;
      if (plaintext) {
        hash = TokenHash.of(t.string("secret"));
      } else {
        Object h = t.get("hash");
        hash = h == null ? null : TokenHash.parse(t.string("hash"));
      }
      tokens.put(Role.of(e.getKey()), new DeviceToken(
          Role.of(t.string("role")), scopes(t.array("scopes")), hash,
          t.instant("createdAt"), t.nullableInstant("rotatedAt"), t.nullableInstant("revokedAt"),
          t.nullableInstant("lastUsedAt")));
    }
    return new PairedDevice(
        id, DevicePublicKey.parse(p.string("publicKey")), roles(p.array("roles")),
        scopes(p.array("approvedScopes")), client(p.obj("client")), p.string("label"), tokens,
        p.instant("createdAt"), p.instant("approvedAt"), p.nullableInstant("lastSeenAt"),
        p.string("approvedVia"), p.string("remoteAddress"),
        v1 ? "" : p.string("browserOrigin"),
        // formatVersion 1 set lastSeenAt only on an allowed connect
        v1 ? (p.nullableInstant("lastSeenAt") == null ? "" : PairedDevice.SEEN_ON_CONNECT)
            : p.string("lastSeenReason"),
        legacy);
  }

  private static PendingRequest readPending(DeviceId id, Obj q, boolean v1) {
    q.requireKeys(v1 ? PENDING_KEYS_V1 : PENDING_KEYS);
    return new PendingRequest(
        RequestId.of(q.string("requestId")), id, DevicePublicKey.parse(q.string("publicKey")),
        Role.of(q.string("role")), roles(q.array("roles")), scopes(q.array("scopes")),
        client(q.obj("client")), q.string("remoteAddress"), q.instant("createdAt"),
        q.instant("refreshedAt"), q.instant("expiresAt"), q.bool("repair"),
        UpgradeReason.fromWireName(q.string("reason")), v1 ? "" : q.string("browserOrigin"));
  }

  private static ClientInfo client(Obj c) {
    c.requireKeys(CLIENT_KEYS);
    return new ClientInfo(c.string("clientId"), c.string("clientMode"), c.string("platform"),
        c.string("deviceFamily"), c.string("displayName"), c.string("version"));
  }

  private static List<Role> roles(List<@Nullable Object> names) {
    List<Role> out = new ArrayList<>(names.size());
    for (Object o : names) {
      out.add(Role.of(asString(o, "role")));
    }
    return out;
  }

  private static ScopeSet scopes(List<@Nullable Object> names) {
    List<String> out = new ArrayList<>(names.size());
    for (Object o : names) {
      out.add(asString(o, "scope"));
    }
    return ScopeSet.parse(out);
  }

  private static String asString(@Nullable Object o, String what) {
    if (o instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(what + " must be a string, found " + describe(o));
  }

  private static String describe(@Nullable Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof String) {
      return "a string";
    }
    if (o instanceof Boolean) {
      return "a boolean";
    }
    if (o instanceof Long || o instanceof java.math.BigDecimal) {
      return "a number";
    }
    if (o instanceof List) {
      return "an array";
    }
    return "an object";
  }

  /** Parses an ISO-8601 UTC instant ({@link RecordJson#parseInstant}). */
  static Instant parseInstant(String t) {
    return RecordJson.parseInstant(t);
  }

  /** A parsed JSON object with strict typed accessors. */
  private static final class Obj {
    final Map<String, @Nullable Object> map;
    final String path;

    private Obj(Map<String, @Nullable Object> map, String path) {
      this.map = map;
      this.path = path;
    }

    @SuppressWarnings("unchecked")
    static Obj of(@Nullable Object o, String path) {
      if (o instanceof Map) {
        return new Obj((Map<String, @Nullable Object>) o, path);
      }
      throw new IllegalArgumentException(path + " must be an object, found " + describe(o));
    }

    void requireKeys(Set<String> keys) {
      for (String k : keys) {
        if (!map.containsKey(k)) {
          throw new IllegalArgumentException(path + " lacks \"" + k + "\"");
        }
      }
      for (String k : map.keySet()) {
        if (!keys.contains(k)) {
          throw new IllegalArgumentException(path + " has unknown key \"" + k + "\"");
        }
      }
    }

    private @Nullable Object get(String k) {
      if (!map.containsKey(k)) {
        throw new IllegalArgumentException(path + " lacks \"" + k + "\"");
      }
      return map.get(k);
    }

    String string(String k) {
      Object o = get(k);
      if (o instanceof String str) {
        return str;
      }
      throw new IllegalArgumentException(path + "." + k + " must be a string, found "
          + describe(o));
    }

    boolean bool(String k) {
      Object o = get(k);
      if (o instanceof Boolean b) {
        return b;
      }
      throw new IllegalArgumentException(path + "." + k + " must be a boolean, found " + describe(o));
    }

    long integer(String k) {
      Object o = get(k);
      if (o instanceof Long l) {
        return l;
      }
      throw new IllegalArgumentException(path + "." + k + " must be a number, found " + describe(o));
    }

    Instant instant(String k) {
      Instant i = nullableInstant(k);
      if (i == null) {
        throw new IllegalArgumentException(path + "." + k + " must not be null");
      }
      return i;
    }

    @Nullable Instant nullableInstant(String k) {
      Object o = get(k);
      if (o == null) {
        return null;
      }
      if (o instanceof String str) {
        return parseInstant(str);
      }
      throw new IllegalArgumentException(path + "." + k + " must be a string, found "
          + describe(o));
    }

    @SuppressWarnings("unchecked")
    List<@Nullable Object> array(String k) {
      Object o = get(k);
      if (o instanceof List) {
        return (List<@Nullable Object>) o;
      }
      throw new IllegalArgumentException(path + "." + k + " must be an array, found " + describe(o));
    }

    Obj obj(String k) {
      return of(get(k), path + "." + k);
    }

    @Nullable Obj nullableObj(String k) {
      Object o = get(k);
      return o == null ? null : of(o, path + "." + k);
    }
  }
}
