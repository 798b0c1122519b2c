package io.pairgate.client;

import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.client.IdentityFileException.Problem;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The device tokens a client was issued, keyed by gateway, device and role, each with the scopes
 * it was issued with (so a client knows whether the cached token covers what it is about to ask
 * for, and otherwise connects with shared auth to ask for more). Thread-safe.
 *
 * <p>{@link #inMemory} keeps entries for the life of the object; {@link #persistent} also writes
 * every change atomically to an owner-only ({@code 0600}) JSON file:
 *
 * <pre>{@code
 * {
 *   "format": "pairgate-token-cache",
 *   "version": 1,
 *   "entries": [
 *     {"gateway": "wss://gw.example:18789", "deviceId": "<64 hex>", "role": "operator",
 *      "token": "<secret>", "scopes": ["operator.read"], "updatedAt": "2026-11-21T10:15:30Z"}
 *   ]
 * }
 * }</pre>
 *
 * A corrupt cache file fails with an {@link IdentityFileException} and is left untouched.
 */
public final class TokenCache {
  /** The {@code format} value of a persisted cache. */
  public static final String FORMAT = "pairgate-token-cache";
  /** The document version this library writes and reads. */
  public static final int VERSION = 1;

  /**
   * One cached token.
   *
   * @param gateway the gateway it was issued by (a URL or any name the client uses for it)
   * @param deviceId the device it was issued to
   * @param role the role it is for
   * @param token the bearer secret (handle with care)
   * @param scopes the scopes it was issued with
   * @param updatedAt when it was stored
   */
  public record CachedToken(
      String gateway, DeviceId deviceId, Role role, String token, ScopeSet scopes,
      Instant updatedAt) {

    /** Whether this token grants every scope in {@code requested} under {@code policy}. */
    public boolean covers(ScopePolicy policy, ScopeSet requested) {
      return policy.allows(role, requested, scopes);
    }

    /** Redacted: the secret never appears. */
    @Override
    public String toString() {
      return "CachedToken[gateway=" + gateway + ", deviceId=" + deviceId + ", role=" + role
          + ", token=<redacted>, scopes=" + scopes + ", updatedAt=" + updatedAt + "]";
    }
  }

  private record Key(String gateway, String deviceId, String role) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = gateway.compareTo(o.gateway);
      if (c == 0) {
        c = deviceId.compareTo(o.deviceId);
      }
      return c != 0 ? c : role.compareTo(o.role);
    }
  }

  private final Clock clock;
  private final @Nullable Path file;
  private final TreeMap<Key, CachedToken> entries = new TreeMap<>();

  private TokenCache(Clock clock, @Nullable Path file) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.file = file;
  }

  /** An empty cache in memory. */
  public static TokenCache inMemory(Clock clock) {
    return new TokenCache(clock, null);
  }

  /**
   * A cache backed by {@code file}: loads it if it exists (an absent file is an empty cache) and
   * rewrites it atomically after every change.
   *
   * @throws IdentityFileException if the file exists but cannot be read or parsed
   */
  public static TokenCache persistent(Path file, Clock clock) {
    TokenCache cache = new TokenCache(clock, file);
    String text;
    try {
      text = PrivateFiles.read(file);
    } catch (NoSuchFileException e) {
      return cache;
    } catch (CharacterCodingException e) {
      throw new IdentityFileException(file, Problem.UNPARSABLE, "not UTF-8 text", e);
    } catch (IOException e) {
      throw new IdentityFileException(file, Problem.IO, String.valueOf(e.getMessage()), e);
    }
    cache.parse(text);
    return cache;
  }

  /** The cached token for this gateway, device and role, if any. */
  public synchronized Optional<CachedToken> get(String gateway, DeviceId deviceId, Role role) {
    return Optional.ofNullable(entries.get(new Key(gateway, deviceId.value(), role.name())));
  }

  /**
   * Stores (or replaces) the token for this gateway, device and role.
   *
   * @throws IdentityFileException if a persistent cache cannot be written (the entry is then not
   *     stored)
   */
  public synchronized CachedToken put(
      String gateway, DeviceId deviceId, Role role, String token, ScopeSet scopes) {
    CachedToken t = new CachedToken(gateway, deviceId, role, token, scopes, clock.instant());
    Key k = new Key(gateway, deviceId.value(), role.name());
    CachedToken old = entries.put(k, t);
    try {
      persist();
    } catch (PairgateException e) {
      if (old == null) {
        entries.remove(k);
      } else {
        entries.put(k, old);
      }
      throw e;
    }
    return t;
  }

  /**
   * Stores the token of an allowed connect, with the scopes the token grants. When the connect
   * delivered no secret (an existing token reused under shared auth, see
   * {@link ConnectResult.Allowed#secret()}) the cached secret is kept and only its scopes are
   * updated; if nothing is cached for it, nothing is stored.
   *
   * @return the cached entry, if there is one now
   */
  public synchronized Optional<CachedToken> remember(String gateway, ConnectResult.Allowed allowed) {
    DeviceId id = DeviceId.parse(allowed.deviceId());
    if (allowed.secret().isPresent()) {
      return Optional.of(put(gateway, id, allowed.role(), allowed.secret().get().value(),
          allowed.token().scopes()));
    }
    CachedToken old = entries.get(new Key(gateway, id.value(), allowed.role().name()));
    if (old == null) {
      return Optional.empty();
    }
    if (old.scopes().equals(allowed.token().scopes())) {
      return Optional.of(old);
    }
    return Optional.of(put(gateway, id, allowed.role(), old.token(), allowed.token().scopes()));
  }

  /**
   * Forgets the token for this gateway, device and role (after {@code token-mismatch} or
   * {@code token-revoked}). Returns whether there was one.
   */
  public synchronized boolean remove(String gateway, DeviceId deviceId, Role role) {
    CachedToken old = entries.remove(new Key(gateway, deviceId.value(), role.name()));
    if (old != null) {
      persist();
    }
    return old != null;
  }

  /** Every cached token, ordered by gateway, device and role. */
  public synchronized List<CachedToken> entries() {
    return List.copyOf(entries.values());
  }

  private void persist() {
    if (file == null) {
      return;
    }
    List<Object> list = new ArrayList<>();
    for (CachedToken t : entries.values()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("gateway", t.gateway());
      e.put("deviceId", t.deviceId().value());
      e.put("role", t.role().name());
      e.put("token", t.token());
      e.put("scopes", new ArrayList<Object>(t.scopes().names()));
      e.put("updatedAt", t.updatedAt().toString());
      list.add(e);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", VERSION);
    doc.put("entries", list);
    try {
      PrivateFiles.writeReplacing(file, Json.write(doc));
    } catch (IOException e) {
      throw new IdentityFileException(file, Problem.IO, "cannot write: " + e.getMessage(), e);
    }
  }

  private void parse(String text) {
    Path f = Objects.requireNonNull(file);
    Object root;
    try {
      root = Json.parse(text);
    } catch (Json.ParseError e) {
      throw new IdentityFileException(f, e.truncated ? Problem.TRUNCATED : Problem.UNPARSABLE,
          e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> doc) || !FORMAT.equals(doc.get("format"))) {
      throw new IdentityFileException(f, Problem.UNSUPPORTED_VERSION,
          "not a " + FORMAT + " document");
    }
    if (!(doc.get("version") instanceof Long v) || v != VERSION) {
      throw new IdentityFileException(f, Problem.UNSUPPORTED_VERSION,
          "\"version\" is " + doc.get("version") + "; this library reads version " + VERSION);
    }
    if (!(doc.get("entries") instanceof List<?> list)) {
      throw new IdentityFileException(f, Problem.UNPARSABLE, "\"entries\" must be an array");
    }
    int i = 0;
    for (Object o : list) {
      String where = "entries[" + i++ + "]";
      try {
        if (!(o instanceof Map<?, ?> e) || !(e.get("scopes") instanceof List<?> scopes)) {
          throw new IllegalArgumentException("must be an object with a \"scopes\" array");
        }
        List<String> names = new ArrayList<>();
        for (Object s : scopes) {
          names.add((String) s);
        }
        CachedToken t = new CachedToken(
            (String) Objects.requireNonNull(e.get("gateway"), "gateway"),
            DeviceId.parse((String) Objects.requireNonNull(e.get("deviceId"), "deviceId")),
            Role.of((String) Objects.requireNonNull(e.get("role"), "role")),
            (String) Objects.requireNonNull(e.get("token"), "token"),
            ScopeSet.parse(names),
            Instant.parse((String) Objects.requireNonNull(e.get("updatedAt"), "updatedAt")));
        entries.put(new Key(t.gateway(), t.deviceId().value(), t.role().name()), t);
      } catch (ClassCastException | NullPointerException | IllegalArgumentException
          | DateTimeParseException | PairgateException e) {
        throw new IdentityFileException(f, Problem.UNPARSABLE, where + ": " + e.getMessage(), e);
      }
    }
  }

  /** Whether this cache writes to a file. */
  public boolean isPersistent() {
    return file != null;
  }
}
