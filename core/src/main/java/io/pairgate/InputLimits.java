package io.pairgate;

import io.pairgate.spi.DeviceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The size and character limits of everything a connecting client sends (rule R16 of
 * {@code docs/semantics.md}). A connect that breaks one is rejected before anything is written,
 * with {@link ErrorCode#FIELD_TOO_LONG} or {@link ErrorCode#INVALID_FIELD}; the message names the
 * field and the limit, never its content.
 *
 * <p>The limits are generous for real clients: OpenClaw's clients send a 64-character device id,
 * a 43-character key, an 86-character signature, a UUID nonce, client ids such as
 * {@code openclaw-control-ui}, platforms such as {@code Linux x86_64} or {@code macOS 14.4}, and
 * at most a handful of scopes.
 *
 * <p>A stored record may still break them (written by an older version, edited by hand): such a
 * record keeps working, and {@link #check(DeviceRecord)} names the offending fields so that a
 * health check ({@code pairgate doctor}) can report them.
 */
public final class InputLimits {
  /** Characters of a claimed device id (a real one has exactly 64). */
  public static final int DEVICE_ID = 64;
  /**
   * Characters of a request id ({@link RequestId}; minted ids are 36-character UUIDs, as
   * OpenClaw's).
   */
  public static final int REQUEST_ID = 64;
  /** Characters of a public key as sent (an SPKI PEM of an Ed25519 key has about 113). */
  public static final int PUBLIC_KEY = 512;
  /** Characters of a signature (86 in base64url, 88 in padded base64). */
  public static final int SIGNATURE = 128;
  /** Characters of a nonce (issued nonces are 36-character UUIDs). */
  public static final int NONCE = 128;
  /** Characters of the auth token the client sent and signed (device tokens have 43). */
  public static final int TOKEN = 1024;
  /** Characters of a role name (also enforced by {@link Role}). */
  public static final int ROLE = 64;
  /** Characters of one scope (also enforced by {@link Scope}). */
  public static final int SCOPE = 128;
  /** Scopes in one connect. */
  public static final int SCOPE_COUNT = 64;
  /** Characters of {@link ClientInfo#clientId()}. */
  public static final int CLIENT_ID = 128;
  /** Characters of {@link ClientInfo#clientMode()}. */
  public static final int CLIENT_MODE = 64;
  /** Characters of {@link ClientInfo#platform()}. */
  public static final int PLATFORM = 128;
  /** Characters of {@link ClientInfo#deviceFamily()}. */
  public static final int DEVICE_FAMILY = 64;
  /** Characters of {@link ClientInfo#displayName()} (and of an operator's label). */
  public static final int DISPLAY_NAME = 256;
  /** Characters of {@link ClientInfo#version()}. */
  public static final int VERSION = 128;
  /**
   * Characters of each header Pairgate reads ({@code Host}, {@code Origin} and the proxy
   * headers).
   */
  public static final int HEADER = 8192;
  /** Characters of a stored client address. */
  public static final int REMOTE_ADDRESS = 128;

  private static final List<String> READ_HEADERS = List.of("host", "origin", "x-forwarded-for",
      "forwarded", "x-real-ip", "x-forwarded-host", "x-forwarded-proto");

  private InputLimits() {}

  /**
   * A field that breaks a limit.
   *
   * @param field where it is, e.g. {@code client.displayName} or {@code pending.scopes}
   * @param code {@link ErrorCode#FIELD_TOO_LONG} (too long or too many) or
   *     {@link ErrorCode#INVALID_FIELD} (a {@code |} or a control character in a signed field)
   * @param message what is wrong, naming the field and the limit but never the content
   */
  public record Violation(String field, ErrorCode code, String message) {}

  /**
   * The first limit the attempt breaks, if any: lengths first, then the characters of the fields
   * that go into the signed payload ({@code |} and control characters are refused there, so that
   * no field can shift into another).
   */
  public static Optional<Violation> check(ConnectAttempt a) {
    ClientInfo c = a.client();
    Violation v = firstNonNull(
        length("deviceId", a.deviceId(), DEVICE_ID),
        length("publicKey", a.publicKey(), PUBLIC_KEY),
        length("signature", a.signature(), SIGNATURE),
        length("nonce", a.nonce(), NONCE),
        length("token", a.token(), TOKEN),
        length("role", a.role().name(), ROLE),
        a.scopes().size() > SCOPE_COUNT
            ? tooLong("scopes", a.scopes().size() + " scopes; the limit is " + SCOPE_COUNT)
            : null,
        scopeLengths("scopes", a.scopes()),
        clientLengths("client", c),
        headerLengths(a.headers()));
    if (v != null) {
      return Optional.of(v);
    }
    v = firstNonNull(
        signedChars("deviceId", a.deviceId()),
        signedChars("client.clientId", c.clientId()),
        signedChars("client.clientMode", c.clientMode()),
        signedChars("role", a.role().name()),
        signedScopes(a.scopes()),
        signedChars("token", a.token()),
        signedChars("nonce", a.nonce()),
        signedChars("client.platform", c.platform()),
        signedChars("client.deviceFamily", c.deviceFamily()));
    return Optional.ofNullable(v);
  }

  /**
   * Every length limit a stored record breaks (empty for a record a current connect could have
   * written). Reading such a record never fails; this is for health checks.
   */
  public static List<Violation> check(DeviceRecord r) {
    List<Violation> out = new ArrayList<>();
    PairedDevice p = r.paired();
    if (p != null) {
      add(out, clientLengths("paired.client", p.client()));
      add(out, length("paired.label", p.label(), DISPLAY_NAME));
      add(out, length("paired.remoteAddress", p.remoteAddress(), REMOTE_ADDRESS));
      for (Scope s : p.approvedScopes()) {
        add(out, length("paired.approvedScopes", s.value(), SCOPE));
      }
    }
    PendingRequest q = r.pending();
    if (q != null) {
      add(out, clientLengths("pending.client", q.client()));
      add(out, length("pending.remoteAddress", q.remoteAddress(), REMOTE_ADDRESS));
      for (Scope s : q.scopes()) {
        add(out, length("pending.scopes", s.value(), SCOPE));
      }
    }
    return out;
  }

  private static void add(List<Violation> out, @Nullable Violation v) {
    if (v != null) {
      out.add(v);
    }
  }

  private static @Nullable Violation clientLengths(String prefix, ClientInfo c) {
    return firstNonNull(
        length(prefix + ".clientId", c.clientId(), CLIENT_ID),
        length(prefix + ".clientMode", c.clientMode(), CLIENT_MODE),
        length(prefix + ".platform", c.platform(), PLATFORM),
        length(prefix + ".deviceFamily", c.deviceFamily(), DEVICE_FAMILY),
        length(prefix + ".displayName", c.displayName(), DISPLAY_NAME),
        length(prefix + ".version", c.version(), VERSION));
  }

  private static @Nullable Violation scopeLengths(String field, List<String> scopes) {
    for (int i = 0; i < scopes.size(); i++) {
      Violation v = length(field + "[" + i + "]", scopes.get(i), SCOPE);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static @Nullable Violation headerLengths(Map<String, String> headers) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String name = e.getKey();
      for (String read : READ_HEADERS) {
        if (read.equalsIgnoreCase(name)) {
          Violation v = length("header " + read, e.getValue(), HEADER);
          if (v != null) {
            return v;
          }
        }
      }
    }
    return null;
  }

  private static @Nullable Violation signedScopes(List<String> scopes) {
    for (int i = 0; i < scopes.size(); i++) {
      Violation v = signedChars("scopes[" + i + "]", scopes.get(i));
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static @Nullable Violation length(String field, String value, int limit) {
    return value.length() > limit
        ? tooLong(field, value.length() + " characters; the limit is " + limit)
        : null;
  }

  private static Violation tooLong(String field, String detail) {
    return new Violation(field, ErrorCode.FIELD_TOO_LONG, field + " is too long: " + detail);
  }

  /** A {@code |} or a control character (C0, DEL, C1) in a field of the signed payload. */
  private static @Nullable Violation signedChars(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch == '|') {
        return new Violation(field, ErrorCode.INVALID_FIELD, field + " contains '|', the"
            + " separator of the signed payload, at position " + i);
      }
      if (Character.isISOControl(ch)) {
        return new Violation(field, ErrorCode.INVALID_FIELD, field + " contains the control"
            + " character U+" + String.format("%04X", (int) ch) + " at position " + i);
      }
    }
    return null;
  }

  @SafeVarargs
  private static <T> @Nullable T firstNonNull(@Nullable T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
