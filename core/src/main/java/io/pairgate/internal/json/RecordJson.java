package io.pairgate.internal.json;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.RequestId;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.TokenHash;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one JSON document of a {@link DeviceRecord}, written byte for byte the same by both stores
 * (a store-json device file and a store-jdbc {@code record_json} value are the same bytes): the
 * record format {@value #FORMAT} version {@value #FORMAT_VERSION}. See docs/store-json.md for the
 * schema.
 *
 * <p>Writing is canonical: keys sorted, two-space indented, one value per line, a final newline,
 * every instant an ISO-8601 UTC string ({@link Instant#toString()}, exact to the nanosecond), and
 * every character outside printable ASCII escaped (the bytes are pure ASCII whatever a database's
 * character set, and even unpaired surrogates survive). Reading ({@link JsonReader}, then
 * {@link #read}) is strict: a missing, unknown, duplicate or mistyped field is an
 * {@link Invalid} naming the JSON path, whose text never quotes more than an excerpt of a value.
 */
public final class RecordJson {
  /** The {@code "format"} of every record document. */
  public static final String FORMAT = "pairgate-device";
  /**
   * The shared record format version. Versions 1 and 2 were the two stores' own formats (store-json
   * epoch milliseconds, store-jdbc a compact document with {@code "v"}); each store still reads its
   * own and writes this one.
   */
  public static final long FORMAT_VERSION = 3;

  static final Set<String> TOP = Set.of(
      "format", "formatVersion", "deviceId", "version", "blocked", "paired", "pending", "resolved");
  static final Set<String> PAIRED = Set.of(
      "publicKey", "roles", "approvedScopes", "client", "label", "tokens", "createdAt",
      "approvedAt", "lastSeenAt", "approvedVia", "remoteAddress", "browserOrigin",
      "lastSeenReason", "legacyMetadata");
  static final Set<String> TOKEN = Set.of(
      "role", "scopes", "hash", "createdAt", "rotatedAt", "revokedAt", "lastUsedAt");
  static final Set<String> CLIENT = Set.of(
      "clientId", "clientMode", "platform", "deviceFamily", "displayName", "version");
  static final Set<String> PENDING = Set.of(
      "requestId", "publicKey", "role", "roles", "scopes", "client", "remoteAddress",
      "createdAt", "refreshedAt", "expiresAt", "repair", "reason", "browserOrigin");
  static final Set<String> RESOLVED = Set.of(
      "requestId", "outcome", "successorRequestId", "resolvedAt");

  private RecordJson() {}

  /**
   * A document that is valid JSON but not a record of this format. The message starts with the
   * JSON path ({@code paired.tokens.operator.createdAt: ...}); values appear only as excerpts.
   */
  public static class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** A violation described by {@code message} (a path, a colon, what is wrong). */
    public Invalid(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // writing

  /** The document of {@code r} (ASCII text ending with a newline). */
  public static String encode(DeviceRecord r) {
    Map<String, @Nullable Object> m = new TreeMap<>();
    m.put("format", FORMAT);
    m.put("formatVersion", FORMAT_VERSION);
    m.put("deviceId", r.deviceId().value());
    m.put("version", r.version());
    m.put("blocked", r.blocked());
    m.put("paired", r.paired() == null ? null : paired(r.paired()));
    m.put("pending", r.pending() == null ? null : pending(r.pending()));
    List<Object> resolved = new ArrayList<>(r.resolved().size());
    for (ResolvedRequest x : r.resolved()) {
      Map<String, @Nullable Object> e = new TreeMap<>();
      e.put("requestId", x.requestId().value());
      e.put("outcome", x.outcome().wireName());
      e.put("successorRequestId", RequestId.valueOrEmpty(x.successorRequestId()));
      e.put("resolvedAt", x.resolvedAt());
      resolved.add(e);
    }
    m.put("resolved", resolved);
    StringBuilder b = new StringBuilder(1536);
    write(b, m, 0);
    return b.append('\n').toString();
  }

  /** {@link #encode} as bytes (ASCII, hence also UTF-8). */
  public static byte[] encodeBytes(DeviceRecord r) {
    return encode(r).getBytes(StandardCharsets.US_ASCII);
  }

  private static Map<String, @Nullable Object> paired(PairedDevice p) {
    Map<String, @Nullable Object> m = new TreeMap<>();
    m.put("publicKey", p.publicKey().base64Url());
    m.put("roles", roleNames(p.roles()));
    m.put("approvedScopes", p.approvedScopes().names());
    m.put("client", client(p.client()));
    m.put("label", p.label());
    Map<String, @Nullable Object> tokens = new TreeMap<>();
    for (Map.Entry<Role, DeviceToken> e : p.tokens().entrySet()) {
      DeviceToken t = e.getValue();
      Map<String, @Nullable Object> tm = new TreeMap<>();
      tm.put("role", t.role().name()); // the token's own role (normally its key's)
      tm.put("scopes", t.scopes().names());
      tm.put("hash", t.hash() == null ? null : t.hash().encoded());
      tm.put("createdAt", t.createdAt());
      tm.put("rotatedAt", t.rotatedAt());
      tm.put("revokedAt", t.revokedAt());
      tm.put("lastUsedAt", t.lastUsedAt());
      tokens.put(e.getKey().name(), tm);
    }
    m.put("tokens", tokens);
    m.put("createdAt", p.createdAt());
    m.put("approvedAt", p.approvedAt());
    m.put("lastSeenAt", p.lastSeenAt());
    m.put("approvedVia", p.approvedVia());
    m.put("remoteAddress", p.remoteAddress());
    m.put("browserOrigin", p.browserOrigin());
    m.put("lastSeenReason", p.lastSeenReason());
    if (p.legacyMetadata()) {
      m.put("legacyMetadata", true);
    }
    return m;
  }

  private static Map<String, @Nullable Object> pending(PendingRequest p) {
    Map<String, @Nullable Object> m = new TreeMap<>();
    m.put("requestId", p.requestId().value());
    m.put("publicKey", p.publicKey().base64Url());
    m.put("role", p.role().name());
    m.put("roles", roleNames(p.roles()));
    m.put("scopes", p.scopes().names());
    m.put("client", client(p.client()));
    m.put("remoteAddress", p.remoteAddress());
    m.put("createdAt", p.createdAt());
    m.put("refreshedAt", p.refreshedAt());
    m.put("expiresAt", p.expiresAt());
    m.put("repair", p.repair());
    m.put("reason", p.reason().wireName());
    m.put("browserOrigin", p.browserOrigin());
    return m;
  }

  private static Map<String, @Nullable Object> client(ClientInfo c) {
    Map<String, @Nullable Object> m = new TreeMap<>();
    m.put("clientId", c.clientId());
    m.put("clientMode", c.clientMode());
    m.put("platform", c.platform());
    m.put("deviceFamily", c.deviceFamily());
    m.put("displayName", c.displayName());
    m.put("version", c.version());
    return m;
  }

  private static List<String> roleNames(List<Role> roles) {
    List<String> out = new ArrayList<>(roles.size());
    for (Role r : roles) {
      out.add(r.name());
    }
    return out;
  }

  private static void write(StringBuilder b, @Nullable Object v, int indent) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      writeString(b, s);
    } else if (v instanceof Instant t) {
      b.append('"').append(t).append('"');
    } else if (v instanceof Boolean || v instanceof Long) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "\n" : ",\n");
        first = false;
        indent(b, indent + 1);
        writeString(b, (String) e.getKey());
        b.append(": ");
        write(b, e.getValue(), indent + 1);
      }
      b.append('\n');
      indent(b, indent);
      b.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      boolean first = true;
      for (Object o : c) {
        b.append(first ? "\n" : ",\n");
        first = false;
        indent(b, indent + 1);
        write(b, o, indent + 1);
      }
      b.append('\n');
      indent(b, indent);
      b.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass());
    }
  }

  private static void indent(StringBuilder b, int n) {
    for (int i = 0; i < n; i++) {
      b.append("  ");
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A JSON string: {@code "}, {@code \} and every char outside printable ASCII escaped. */
  public static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\r') {
        b.append("\\r");
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
   * Parses a record document.
   *
   * @throws JsonException if the bytes are not one JSON document
   * @throws Invalid if it is not a record of this format and version
   */
  public static DeviceRecord decode(byte[] utf8) {
    return read(JsonReader.parse(utf8));
  }

  /**
   * Reads a parsed record document (the tree {@link JsonReader} returns). The caller has checked
   * {@code format} and {@code formatVersion} when it reports other formats its own way; here they
   * must be exactly {@value #FORMAT} and {@value #FORMAT_VERSION}.
   *
   * @throws Invalid if the tree is not a record of this format and version
   */
  public static DeviceRecord read(@Nullable Object root) {
    Obj o = Obj.of(root, "");
    String format = o.string("format");
    if (!format.equals(FORMAT)) {
      throw new Invalid("format: expected \"" + FORMAT + "\", found \""
          + JsonReader.excerpt(format) + "\"");
    }
    long fv = o.integer("formatVersion");
    if (fv != FORMAT_VERSION) {
      throw new Invalid("formatVersion: expected " + FORMAT_VERSION + ", found " + fv);
    }
    o.only(TOP);
    String id = o.string("deviceId");
    DeviceId deviceId = model("deviceId", () -> DeviceId.parse(id));
    long version = o.integer("version");
    if (version < 1) {
      throw new Invalid("version: must be >= 1, found " + version);
    }
    boolean blocked = o.bool("blocked");
    Obj po = o.nullableObject("paired");
    PairedDevice paired = po == null ? null : paired(po, deviceId);
    Obj qo = o.nullableObject("pending");
    PendingRequest pending = qo == null ? null : pending(qo, deviceId);
    List<@Nullable Object> ra = o.array("resolved");
    List<ResolvedRequest> resolved = new ArrayList<>(ra.size());
    for (int i = 0; i < ra.size(); i++) {
      resolved.add(resolved(Obj.of(ra.get(i), "resolved[" + i + "]")));
    }
    return model("record", () -> new DeviceRecord(deviceId, version, paired, pending, blocked,
        resolved));
  }

  private static PairedDevice paired(Obj o, DeviceId id) {
    o.only(PAIRED);
    DevicePublicKey key = key(o, "publicKey");
    List<Role> roles = roles(o, "roles");
    ScopeSet approved = scopes(o, "approvedScopes");
    ClientInfo client = client(o.object("client"));
    String label = o.string("label");
    Obj to = o.object("tokens");
    Map<Role, DeviceToken> tokens = new TreeMap<>();
    for (Map.Entry<String, @Nullable Object> e : to.map.entrySet()) {
      String rp = to.at(JsonReader.excerpt(e.getKey()));
      Role keyRole = model(rp, () -> Role.of(e.getKey()));
      Obj t = Obj.of(e.getValue(), rp).only(TOKEN);
      String roleName = t.string("role");
      Role role = model(t.at("role"), () -> Role.of(roleName));
      String h = t.nullableString("hash");
      TokenHash hash = h == null ? null : model(t.at("hash"), () -> TokenHash.parse(h));
      ScopeSet scopes = scopes(t, "scopes");
      Instant created = t.instant("createdAt");
      Instant rotated = t.nullableInstant("rotatedAt");
      Instant revoked = t.nullableInstant("revokedAt");
      Instant used = t.nullableInstant("lastUsedAt");
      tokens.put(keyRole, model(rp, () -> new DeviceToken(role, scopes, hash, created, rotated,
          revoked, used)));
    }
    Instant created = o.instant("createdAt");
    Instant approvedAt = o.instant("approvedAt");
    Instant lastSeen = o.nullableInstant("lastSeenAt");
    String via = o.string("approvedVia");
    String address = o.string("remoteAddress");
    String origin = o.string("browserOrigin");
    String seenReason = o.string("lastSeenReason");
    boolean legacy = o.has("legacyMetadata") && o.bool("legacyMetadata");
    return model("paired", () -> new PairedDevice(id, key, roles, approved, client, label, tokens,
        created, approvedAt, lastSeen, via, address, origin, seenReason, legacy));
  }

  private static PendingRequest pending(Obj o, DeviceId id) {
    o.only(PENDING);
    String reason = o.string("reason");
    UpgradeReason r = model(o.at("reason"), () -> UpgradeReason.fromWireName(reason));
    if (!reason.equals(r.wireName())) {
      throw new Invalid(o.at("reason") + ": unknown reason \"" + JsonReader.excerpt(reason)
          + "\"");
    }
    String roleName = o.string("role");
    Role role = model(o.at("role"), () -> Role.of(roleName));
    String requestId = o.string("requestId");
    DevicePublicKey key = key(o, "publicKey");
    List<Role> roles = roles(o, "roles");
    ScopeSet scopes = scopes(o, "scopes");
    ClientInfo client = client(o.object("client"));
    String address = o.string("remoteAddress");
    Instant created = o.instant("createdAt");
    Instant refreshed = o.instant("refreshedAt");
    Instant expires = o.instant("expiresAt");
    boolean repair = o.bool("repair");
    String origin = o.string("browserOrigin");
    return model("pending", () -> new PendingRequest(RequestId.of(requestId), id, key, role, roles, scopes,
        client, address, created, refreshed, expires, repair, r, origin));
  }

  private static ResolvedRequest resolved(Obj o) {
    o.only(RESOLVED);
    String outcome = o.string("outcome");
    ResolvedRequest.Resolution out =
        model(o.at("outcome"), () -> ResolvedRequest.Resolution.fromWireName(outcome));
    if (!outcome.equals(out.wireName())) {
      throw new Invalid(o.at("outcome") + ": unknown outcome \""
          + JsonReader.excerpt(outcome) + "\"");
    }
    String requestId = o.string("requestId");
    String successor = o.string("successorRequestId");
    Instant at = o.instant("resolvedAt");
    return model(o.path, () -> new ResolvedRequest(RequestId.of(requestId), out,
        RequestId.ofEmptyAsNull(successor), at));
  }

  private static ClientInfo client(Obj o) {
    o.only(CLIENT);
    String id = o.string("clientId");
    String mode = o.string("clientMode");
    String platform = o.string("platform");
    String family = o.string("deviceFamily");
    String name = o.string("displayName");
    String version = o.string("version");
    return model(o.path, () -> new ClientInfo(id, mode, platform, family, name, version));
  }

  private static DevicePublicKey key(Obj o, String k) {
    String s = o.string(k);
    DevicePublicKey key = model(o.at(k), () -> DevicePublicKey.parse(s));
    if (!key.base64Url().equals(s)) {
      throw new Invalid(o.at(k) + ": not in canonical unpadded base64url form");
    }
    return key;
  }

  private static List<Role> roles(Obj o, String k) {
    List<String> names = o.strings(k);
    List<Role> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      out.add(model(o.at(k) + "[" + i + "]", () -> Role.of(n)));
    }
    return out;
  }

  private static ScopeSet scopes(Obj o, String k) {
    List<String> names = o.strings(k);
    return model(o.at(k), () -> ScopeSet.parse(names));
  }

  /**
   * Runs a model constructor, turning its validation failure into an {@link Invalid} at path.
   * The model's message may quote a value whole, so it is cut, and it is not kept as the cause (a
   * logged stack trace would print it).
   */
  public static <T> T model(String path, Supplier<T> f) {
    try {
      return f.get();
    } catch (PairgateException | IllegalArgumentException | DateTimeException e) {
      throw new Invalid(path + ": " + JsonReader.redactQuoted(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Parses what {@link Instant#toString()} writes (ISO-8601 UTC, ending in {@code Z}): the common
   * shape {@code yyyy-MM-ddTHH:mm:ss[.fff…]Z} (years 0000–9999, 0, 3, 6 or 9 fraction digits)
   * without the general-purpose formatter, anything else by {@link Instant#parse}.
   *
   * @throws DateTimeException if the text is not such an instant or out of {@link Instant}'s range
   */
  public static Instant parseInstant(String t) {
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
    if (n == 0 || n > 64 || t.charAt(n - 1) != 'Z') {
      throw new DateTimeException("not an ISO-8601 UTC instant");
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

  /** What kind of JSON value {@code v} is, for error messages. */
  public static String kind(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Long || v instanceof BigDecimal) {
      return "a number";
    }
    if (v instanceof List) {
      return "an array";
    }
    return "an object";
  }

  /**
   * A JSON object of a {@link JsonReader} tree being read, with its path for error messages, and
   * strict typed accessors that throw {@link Invalid}.
   */
  public static final class Obj {
    /** The object's fields in document order. */
    public final Map<String, @Nullable Object> map;
    /** Its JSON path ({@code ""} for the root). */
    public final String path;

    private Obj(Map<String, @Nullable Object> map, String path) {
      this.map = map;
      this.path = path;
    }

    /** Wraps {@code v}, which must be an object. */
    @SuppressWarnings("unchecked")
    public static Obj of(@Nullable Object v, String path) {
      if (v instanceof Map) {
        return new Obj((Map<String, @Nullable Object>) v, path);
      }
      throw new Invalid((path.isEmpty() ? "" : path + ": ") + "expected an object, found "
          + kind(v));
    }

    /** The path of a field. */
    public String at(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    /** Fails if the object has a key outside {@code allowed}. */
    public Obj only(Set<String> allowed) {
      for (String k : map.keySet()) {
        if (!allowed.contains(k)) {
          throw new Invalid(at(JsonReader.excerpt(k)) + ": unknown field (allowed: "
              + new TreeSet<>(allowed) + ")");
        }
      }
      return this;
    }

    /** Whether the field is present. */
    public boolean has(String key) {
      return map.containsKey(key);
    }

    /** A required field's value (possibly null). */
    public @Nullable Object required(String key) {
      if (!map.containsKey(key)) {
        throw new Invalid(at(key) + ": required field is missing");
      }
      return map.get(key);
    }

    /** A required string. */
    public String string(String key) {
      Object v = required(key);
      if (v instanceof String s) {
        return s;
      }
      throw new Invalid(at(key) + ": expected a string, found " + kind(v));
    }

    /** A required field that is a string or null. */
    public @Nullable String nullableString(String key) {
      Object v = required(key);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw new Invalid(at(key) + ": expected a string or null, found " + kind(v));
    }

    /** A required boolean. */
    public boolean bool(String key) {
      Object v = required(key);
      if (v instanceof Boolean b) {
        return b;
      }
      throw new Invalid(at(key) + ": expected true or false, found " + kind(v));
    }

    /** A required integer within a long. */
    public long integer(String key) {
      Object v = required(key);
      if (v instanceof Long l) {
        return l;
      }
      throw new Invalid(at(key) + ": expected an integer, found " + kind(v)
          + (v instanceof BigDecimal d ? " " + JsonReader.excerpt(d.toString()) : ""));
    }

    /** A required ISO-8601 UTC instant. */
    public Instant instant(String key) {
      Instant t = nullableInstant(key);
      if (t == null) {
        throw new Invalid(at(key) + ": expected an ISO-8601 UTC instant, found null");
      }
      return t;
    }

    /** A required field that is an ISO-8601 UTC instant or null. */
    public @Nullable Instant nullableInstant(String key) {
      Object v = required(key);
      if (v == null) {
        return null;
      }
      if (v instanceof String s) {
        try {
          return parseInstant(s);
        } catch (DateTimeException e) {
          throw new Invalid(at(key) + ": not an ISO-8601 UTC instant (or out of range): \""
              + JsonReader.excerpt(s) + "\"");
        }
      }
      throw new Invalid(at(key) + ": expected an ISO-8601 UTC instant (a string), found "
          + kind(v));
    }

    /** A required object. */
    public Obj object(String key) {
      return of(required(key), at(key));
    }

    /** A required field that is an object or null. */
    public @Nullable Obj nullableObject(String key) {
      Object v = required(key);
      return v == null ? null : of(v, at(key));
    }

    /** A required array. */
    @SuppressWarnings("unchecked")
    public List<@Nullable Object> array(String key) {
      Object v = required(key);
      if (v instanceof List) {
        return (List<@Nullable Object>) v;
      }
      throw new Invalid(at(key) + ": expected an array, found " + kind(v));
    }

    /** A required array of strings. */
    public List<String> strings(String key) {
      List<@Nullable Object> a = array(key);
      List<String> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        if (!(a.get(i) instanceof String s)) {
          throw new Invalid(at(key) + "[" + i + "]: expected a string, found " + kind(a.get(i)));
        }
        out.add(s);
      }
      return out;
    }
  }
}
