package io.pairgate.client;

import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DevicePublicKey;
import io.pairgate.client.IdentityFileException.Problem;
import io.pairgate.spi.RandomSource;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A device's persistent Ed25519 identity: its key pair, the device id the public key derives, and
 * when it was created.
 *
 * <p>Stored as a small versioned JSON document, owner-only (file mode {@code 0600}, directories
 * created {@code 0700} on POSIX):
 *
 * <pre>{@code
 * {
 *   "format": "pairgate-device-identity",
 *   "version": 1,
 *   "deviceId": "<64 lowercase hex: SHA-256 of the raw public key>",
 *   "publicKey": "<raw 32-byte Ed25519 public key, unpadded base64url>",
 *   "privateKey": "<raw 32-byte Ed25519 seed, unpadded base64url>",
 *   "createdAt": "2026-11-21T10:15:30Z"
 * }
 * }</pre>
 *
 * <p>{@link #load} re-derives the public key from the private seed and the device id from the
 * public key; a file that is truncated, unparsable, of another version, holds keys of the wrong
 * length or a mismatched id fails with an {@link IdentityFileException} and is never modified or
 * replaced. {@link #loadOrCreate} creates a new identity only when no file exists; when several
 * processes race to create it, exactly one identity wins and every caller ends up with it.
 */
public final class DeviceIdentity {
  /** The {@code format} value of an identity document. */
  public static final String FORMAT = "pairgate-device-identity";
  /** The document version this library writes and reads. */
  public static final int VERSION = 1;

  private final DeviceKeyPair keyPair;
  private final Instant createdAt;

  private DeviceIdentity(DeviceKeyPair keyPair, Instant createdAt) {
    this.keyPair = keyPair;
    this.createdAt = createdAt;
  }

  /** An identity of an existing key pair. */
  public static DeviceIdentity of(DeviceKeyPair keyPair, Instant createdAt) {
    return new DeviceIdentity(
        Objects.requireNonNull(keyPair, "keyPair"), Objects.requireNonNull(createdAt, "createdAt"));
  }

  /** A new identity with a fresh key from {@code random}, created at {@code clock}'s now. */
  public static DeviceIdentity generate(RandomSource random, Clock clock) {
    return new DeviceIdentity(DeviceKeyPair.generate(random), clock.instant());
  }

  /** A new identity with a fresh key from a {@link RandomSource#secure() secure} source. */
  public static DeviceIdentity generate(Clock clock) {
    return generate(RandomSource.secure(), clock);
  }

  /**
   * Loads the identity stored in {@code file}.
   *
   * <p>The file must be the process user's own: a symbolic link, a file owned by another user, or
   * one that its group or others may read or write is refused unread ({@link Problem#INSECURE}),
   * because a private key anyone else can read is no longer private, and one anyone else can write
   * may be theirs.
   *
   * @throws IdentityFileException if the file is missing or unreadable ({@link Problem#IO}),
   *     insecure ({@link Problem#INSECURE}), or its content is bad (any other {@link Problem});
   *     the file is left untouched
   */
  public static DeviceIdentity load(Path file) {
    String text;
    try {
      PrivateFiles.checkPrivate(file);
      text = PrivateFiles.read(file);
    } catch (NoSuchFileException e) {
      throw new IdentityFileException(file, Problem.IO, "no such file", e);
    } catch (CharacterCodingException e) {
      throw new IdentityFileException(file, Problem.UNPARSABLE, "not UTF-8 text", e);
    } catch (IOException e) {
      throw new IdentityFileException(file, Problem.IO, String.valueOf(e.getMessage()), e);
    }
    return parse(file, text);
  }

  /**
   * Loads the identity in {@code file}, or creates, saves and returns a new one if (and only if)
   * no file exists. Safe across threads and processes: if several race to create the file,
   * exactly one identity is written and all of them return it.
   *
   * @throws IdentityFileException if an existing file is bad (it is not replaced) or the file
   *     cannot be written
   */
  public static DeviceIdentity loadOrCreate(Path file, RandomSource random, Clock clock) {
    if (Files.exists(file) || Files.isSymbolicLink(file)) {
      return load(file);
    }
    DeviceIdentity fresh = generate(random, clock);
    boolean created;
    try {
      created = PrivateFiles.createExclusively(file, fresh.toJson());
    } catch (IOException e) {
      throw new IdentityFileException(file, Problem.IO,
          "cannot create the identity file: " + e.getMessage(), e);
    }
    return created ? fresh : load(file);
  }

  /** {@link #loadOrCreate(Path, RandomSource, Clock)} with a secure random source. */
  public static DeviceIdentity loadOrCreate(Path file, Clock clock) {
    return loadOrCreate(file, RandomSource.secure(), clock);
  }

  /**
   * Writes this identity to {@code file} atomically (a complete new file or the old one, never a
   * mix), replacing an existing file. Creates missing directories with mode 0700.
   *
   * @throws IdentityFileException if the file cannot be written
   */
  public void save(Path file) {
    try {
      PrivateFiles.writeReplacing(file, toJson());
    } catch (IOException e) {
      throw new IdentityFileException(file, Problem.IO, "cannot write: " + e.getMessage(), e);
    }
  }

  /** The key pair, for signing. */
  public DeviceKeyPair keyPair() {
    return keyPair;
  }

  /** The public key. */
  public DevicePublicKey publicKey() {
    return keyPair.publicKey();
  }

  /** The device id: hex SHA-256 of the raw public key. */
  public DeviceId deviceId() {
    return keyPair.deviceId();
  }

  /** When the identity was generated. */
  public Instant createdAt() {
    return createdAt;
  }

  /** The identity document (contains the private key; keep it secret). */
  String toJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", VERSION);
    doc.put("deviceId", deviceId().value());
    doc.put("publicKey", publicKey().base64Url());
    doc.put("privateKey", Base64.getUrlEncoder().withoutPadding().encodeToString(keyPair.seed()));
    doc.put("createdAt", createdAt.toString());
    return Json.write(doc);
  }

  static DeviceIdentity parse(Path file, String text) {
    Object root;
    try {
      root = Json.parse(text);
    } catch (Json.ParseError e) {
      throw new IdentityFileException(file, e.truncated ? Problem.TRUNCATED : Problem.UNPARSABLE,
          e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> doc)) {
      throw new IdentityFileException(file, Problem.UNPARSABLE, "the document is not a JSON object");
    }
    Object format = doc.get("format");
    if (!FORMAT.equals(format)) {
      throw new IdentityFileException(file, Problem.UNSUPPORTED_VERSION,
          "\"format\" is " + describe(format) + ", expected \"" + FORMAT + "\"");
    }
    Object version = doc.get("version");
    if (!(version instanceof Long v) || v != VERSION) {
      throw new IdentityFileException(file, Problem.UNSUPPORTED_VERSION,
          "\"version\" is " + describe(version) + "; this library reads version " + VERSION);
    }
    String claimedId = string(file, doc, "deviceId");
    byte[] pub = key(file, doc, "publicKey");
    byte[] seed = key(file, doc, "privateKey");
    Instant createdAt;
    try {
      createdAt = Instant.parse(string(file, doc, "createdAt"));
    } catch (DateTimeParseException e) {
      throw new IdentityFileException(file, Problem.UNPARSABLE,
          "\"createdAt\" is not an ISO-8601 instant", e);
    }
    DeviceKeyPair pair = DeviceKeyPair.fromSeed(seed);
    if (!pair.publicKey().equals(DevicePublicKey.ofRaw(pub))) {
      throw new IdentityFileException(file, Problem.KEY_INVALID,
          "\"privateKey\" does not belong to \"publicKey\"");
    }
    String derived = pair.deviceId().value();
    if (!derived.equals(claimedId)) {
      throw new IdentityFileException(file, Problem.ID_MISMATCH,
          "\"deviceId\" is " + describe(claimedId) + " but the public key derives " + derived);
    }
    return new DeviceIdentity(pair, createdAt);
  }

  private static String describe(@Nullable Object value) {
    if (value == null) {
      return "missing";
    }
    String s = value instanceof String str ? '"' + str + '"' : String.valueOf(value);
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static String string(Path file, Map<?, ?> doc, String name) {
    Object v = doc.get(name);
    if (!(v instanceof String s)) {
      throw new IdentityFileException(file, Problem.UNPARSABLE,
          "\"" + name + "\" must be a string, is " + describe(v));
    }
    return s;
  }

  private static byte[] key(Path file, Map<?, ?> doc, String name) {
    String s = string(file, doc, name);
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IdentityFileException(file, Problem.KEY_INVALID,
          "\"" + name + "\" is not base64url", e);
    }
    if (raw.length != 32) {
      throw new IdentityFileException(file, Problem.KEY_INVALID,
          "\"" + name + "\" has " + raw.length + " bytes, an Ed25519 key has 32");
    }
    return raw;
  }

  /** Two identities are equal when their keys and creation times are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof DeviceIdentity other && keyPair.equals(other.keyPair)
        && createdAt.equals(other.createdAt);
  }

  @Override
  public int hashCode() {
    return keyPair.hashCode() * 31 + createdAt.hashCode();
  }

  /** Shows the device id only; never the private key. */
  @Override
  public String toString() {
    return "DeviceIdentity[deviceId=" + deviceId() + ", createdAt=" + createdAt + "]";
  }
}
