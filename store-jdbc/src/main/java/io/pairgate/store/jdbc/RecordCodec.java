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
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The text form of a {@link DeviceRecord} in the {@code record_json} column: a small, strict JSON
 * document. Every field round-trips exactly: instants as ISO-8601 strings with full nanosecond
 * precision, strings with every character outside printable ASCII escaped (so the column content is
 * pure ASCII whatever the database's character set, and even unpaired surrogates survive). The
 * reader accepts exactly what the writer produces: known keys only, each exactly once, with the
 * right types; anything else is an {@link IllegalArgumentException} that the store reports as a
 * {@link io.pairgate.StoreCorruptException}.
 *
 * <p>The device id and version are not in the document; they live in their own columns.
 */
final class RecordCodec {
  /**
   * The format version written into every document as {@code "v"}. Version 2 holds each token's
   * SHA-256 hash ({@code "hash"}, null while it awaits issue) and added {@code browserOrigin}
   * (paired and pending) and {@code lastSeenReason} (paired); version 1 held the plaintext secret
   * ({@code "secret"}) and lacks those fields, and is still read (hashing the secret as it is read,
   * the new fields empty) so that {@link TokenUpgrade} can rewrite it.
   */
  static final int FORMAT_VERSION = 2;
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

  private static Set<String> plus(Set<String> base, String... more) {
    java.util.HashSet<String> s = new java.util.HashSet<>(base);
    s.addAll(List.of(more));
    return Set.copyOf(s);
  }


  // ---------------------------------------------------------------------------------------------
  // writing

  static String encode(DeviceRecord r) {
    StringBuilder b = new StringBuilder(512);
    b.append("{\"v\":").append(FORMAT_VERSION);
    b.append(",\"blocked\":").append(r.blocked());
    b.append(",\"paired\":");
    PairedDevice p = r.paired();
    if (p == null) {
      b.append("null");
    } else {
      writePaired(b, p);
    }
    b.append(",\"pending\":");
    PendingRequest q = r.pending();
    if (q == null) {
      b.append("null");
    } else {
      writePending(b, q);
    }
    b.append(",\"resolved\":[");
    boolean first = true;
    for (ResolvedRequest rr : r.resolved()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append('{');
      field(b, "requestId", rr.requestId().value(), true);
      field(b, "outcome", rr.outcome().wireName(), false);
      field(b, "successorRequestId", RequestId.valueOrEmpty(rr.successorRequestId()), false);
      instantField(b, "resolvedAt", rr.resolvedAt());
      b.append('}');
    }
    b.append("]}");
    return b.toString();
  }

  private static void writePaired(StringBuilder b, PairedDevice p) {
    b.append('{');
    field(b, "publicKey", p.publicKey().base64Url(), true);
    b.append(",\"roles\":");
    writeRoles(b, p.roles());
    b.append(",\"approvedScopes\":");
    writeScopes(b, p.approvedScopes());
    b.append(",\"client\":");
    writeClient(b, p.client());
    field(b, "label", p.label(), false);
    b.append(",\"tokens\":{");
    boolean first = true;
    for (Map.Entry<Role, DeviceToken> e : p.tokens().entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      writeString(b, e.getKey().name());
      b.append(':');
      DeviceToken t = e.getValue();
      b.append('{');
      field(b, "role", t.role().name(), true);
      b.append(",\"scopes\":");
      writeScopes(b, t.scopes());
      b.append(",\"hash\":");
      if (t.hash() == null) {
        b.append("null");
      } else {
        writeString(b, t.hash().encoded());
      }
      instantField(b, "createdAt", t.createdAt());
      instantField(b, "rotatedAt", t.rotatedAt());
      instantField(b, "revokedAt", t.revokedAt());
      instantField(b, "lastUsedAt", t.lastUsedAt());
      b.append('}');
    }
    b.append('}');
    instantField(b, "createdAt", p.createdAt());
    instantField(b, "approvedAt", p.approvedAt());
    instantField(b, "lastSeenAt", p.lastSeenAt());
    field(b, "approvedVia", p.approvedVia(), false);
    field(b, "remoteAddress", p.remoteAddress(), false);
    field(b, "browserOrigin", p.browserOrigin(), false);
    field(b, "lastSeenReason", p.lastSeenReason(), false);
    if (p.legacyMetadata()) {
      b.append(",\"legacyMetadata\":true");
    }
    b.append('}');
  }

  private static Set<String> union(Set<String> keys, String extra) {
    java.util.HashSet<String> out = new java.util.HashSet<>(keys);
    out.add(extra);
    return Set.copyOf(out);
  }

  private static void writePending(StringBuilder b, PendingRequest q) {
    b.append('{');
    field(b, "requestId", q.requestId().value(), true);
    field(b, "publicKey", q.publicKey().base64Url(), false);
    field(b, "role", q.role().name(), false);
    b.append(",\"roles\":");
    writeRoles(b, q.roles());
    b.append(",\"scopes\":");
    writeScopes(b, q.scopes());
    b.append(",\"client\":");
    writeClient(b, q.client());
    field(b, "remoteAddress", q.remoteAddress(), false);
    instantField(b, "createdAt", q.createdAt());
    instantField(b, "refreshedAt", q.refreshedAt());
    instantField(b, "expiresAt", q.expiresAt());
    b.append(",\"repair\":").append(q.repair());
    field(b, "reason", q.reason().wireName(), false);
    field(b, "browserOrigin", q.browserOrigin(), false);
    b.append('}');
  }

  private static void writeClient(StringBuilder b, ClientInfo c) {
    b.append('{');
    field(b, "clientId", c.clientId(), true);
    field(b, "clientMode", c.clientMode(), false);
    field(b, "platform", c.platform(), false);
    field(b, "deviceFamily", c.deviceFamily(), false);
    field(b, "displayName", c.displayName(), false);
    field(b, "version", c.version(), false);
    b.append('}');
  }

  private static void writeRoles(StringBuilder b, List<Role> roles) {
    b.append('[');
    for (int i = 0; i < roles.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      writeString(b, roles.get(i).name());
    }
    b.append(']');
  }

  private static void writeScopes(StringBuilder b, ScopeSet scopes) {
    b.append('[');
    boolean first = true;
    for (Scope s : scopes) {
      if (!first) {
        b.append(',');
      }
      first = false;
      writeString(b, s.value());
    }
    b.append(']');
  }

  private static void field(StringBuilder b, String name, String value, boolean first) {
    if (!first) {
      b.append(',');
    }
    b.append('"').append(name).append("\":");
    writeString(b, value);
  }

  private static void instantField(StringBuilder b, String name, @Nullable Instant value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
    } else {
      b.append('"').append(value).append('"');
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
      }
    }
    b.append('"');
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
    Obj root = Obj.of(new Parser(text).parseDocument(), "record");
    root.requireKeys(RECORD_KEYS);
    long v = root.integer("v");
    if (v != FORMAT_VERSION && v != PLAINTEXT_TOKENS_VERSION) {
      throw new IllegalArgumentException("record format version " + v
          + (v > FORMAT_VERSION ? " was written by a newer Pairgate" : " is unknown")
          + "; this version reads formats " + PLAINTEXT_TOKENS_VERSION + " and " + FORMAT_VERSION);
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
    if (o instanceof Long) {
      return "a number";
    }
    if (o instanceof List) {
      return "an array";
    }
    return "an object";
  }

  /**
   * Parses what {@link Instant#toString()} writes, exactly as {@link Instant#parse} does, without
   * the general-purpose formatter for the common shape {@code yyyy-MM-ddTHH:mm:ss[.fff…]Z} (years
   * 0000–9999, 0, 3, 6 or 9 fraction digits); anything else goes to {@link Instant#parse}.
   */
  static Instant parseInstant(String t) {
    int n = t.length();
    if ((n == 20 || n == 24 || n == 27 || n == 30) && t.charAt(4) == '-' && t.charAt(7) == '-'
        && t.charAt(10) == 'T' && t.charAt(13) == ':' && t.charAt(16) == ':'
        && t.charAt(n - 1) == 'Z' && (n == 20 || t.charAt(19) == '.')) {
      int year = digits(t, 0, 4);
      int month = digits(t, 5, 7);
      int day = digits(t, 8, 10);
      int hour = digits(t, 11, 13);
      int minute = digits(t, 14, 16);
      int second = digits(t, 17, 19);
      int fraction = n == 20 ? 0 : digits(t, 20, n - 1);
      if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0
          && minute < 60 && second >= 0 && second < 60 && fraction >= 0) {
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay(); // validates
        int nanos = n == 20 ? 0 : n == 24 ? fraction * 1_000_000 : n == 27 ? fraction * 1_000
            : fraction;
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second,
            nanos);
      }
    }
    return Instant.parse(t);
  }

  /** The decimal value of {@code t[from, to)}, or -1 unless it is all ASCII digits. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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

  /**
   * A strict JSON parser for the subset the writer produces: objects (no duplicate keys), arrays,
   * strings, {@code true}/{@code false}/{@code null} and integers.
   */
  private static final class Parser {
    /** A record nests four levels; deeper text is not one (and would exhaust the stack). */
    private static final int MAX_DEPTH = 32;
    private final String s;
    private int i;
    private int depth;

    Parser(String s) {
      this.s = s;
    }

    @Nullable Object parseDocument() {
      skipWs();
      Object v = value();
      skipWs();
      if (i != s.length()) {
        throw error("trailing characters");
      }
      return v;
    }

    private @Nullable Object value() {
      if (i >= s.length()) {
        throw error("unexpected end of text");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{':
          deeper();
          try {
            return object();
          } finally {
            depth--;
          }
        case '[':
          deeper();
          try {
            return array();
          } finally {
            depth--;
          }
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character");
      }
    }

    private void deeper() {
      if (++depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH + " levels");
      }
    }

    private Map<String, @Nullable Object> object() {
      i++; // {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      skipWs();
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        skipWs();
        if (peek() != '"') {
          throw error("expected a key");
        }
        String k = string();
        skipWs();
        expect(':');
        skipWs();
        Object v = value();
        if (m.containsKey(k)) {
          throw error("duplicate key \"" + k + "\"");
        }
        m.put(k, v);
        skipWs();
        char c = next();
        if (c == '}') {
          return m;
        }
        if (c != ',') {
          throw error("expected ',' or '}'");
        }
      }
    }

    private List<@Nullable Object> array() {
      i++; // [
      List<@Nullable Object> out = new ArrayList<>();
      skipWs();
      if (peek() == ']') {
        i++;
        return out;
      }
      while (true) {
        skipWs();
        out.add(value());
        skipWs();
        char c = next();
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          throw error("expected ',' or ']'");
        }
      }
    }

    private String string() {
      i++; // opening quote
      // fast path: no escape before the closing quote (what the writer produces for ASCII text)
      for (int j = i; j < s.length(); j++) {
        char c = s.charAt(j);
        if (c == '"') {
          String out = s.substring(i, j);
          i = j + 1;
          return out;
        }
        if (c == '\\' || c < 0x20) {
          break;
        }
      }
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c < 0x20) {
          throw error("unescaped control character in string");
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            int cp = 0;
            for (int k = 0; k < 4; k++) {
              int d = Character.digit(s.charAt(i++), 16);
              if (d < 0) {
                throw error("bad \\u escape");
              }
              cp = (cp << 4) | d;
            }
            b.append((char) cp);
          }
          default -> throw error("bad escape");
        }
      }
    }

    private Long number() {
      int start = i;
      if (peek() == '-') {
        i++;
      }
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
        throw error("only integers are expected");
      }
      try {
        return Long.parseLong(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw error("bad number");
      }
    }

    private void literal(String word) {
      if (!s.startsWith(word, i)) {
        throw error("unexpected token");
      }
      i += word.length();
    }

    private void skipWs() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
          return;
        }
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end of text");
      }
      return s.charAt(i);
    }

    private char next() {
      char c = peek();
      i++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw error("expected '" + c + "'");
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("malformed JSON at offset " + Math.min(i, s.length())
          + ": " + what);
    }
  }
}
