package io.pairgate;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A device's Ed25519 public key: 32 raw bytes. {@link #parse(String)} accepts the forms clients
 * send — unpadded base64url (the canonical wire form), padded standard base64, and SPKI PEM — and
 * normalizes every one of them to {@link #base64Url()}. Whether the bytes are a valid curve point
 * is checked when a proof is verified ({@link ErrorCode#PUBLIC_KEY_INVALID}).
 */
public final class DevicePublicKey {
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private final byte[] raw;

  private DevicePublicKey(byte[] raw) {
    this.raw = raw; // only the 32 bytes are kept: a fleet holds one key per device
  }

  /**
   * Wraps 32 raw key bytes (copied).
   *
   * @throws InvalidArgumentException with {@link ErrorCode#PUBLIC_KEY_INVALID} unless exactly 32 bytes
   */
  public static DevicePublicKey ofRaw(byte[] raw) {
    if (raw.length != 32) {
      throw invalid("an Ed25519 public key has 32 bytes, got " + raw.length);
    }
    return new DevicePublicKey(raw.clone());
  }

  /**
   * Parses a key in unpadded base64url, padded base64 or SPKI PEM.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#PUBLIC_KEY_INVALID} for anything else
   */
  public static DevicePublicKey parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw invalid("empty public key");
    }
    if (s.contains("BEGIN")) {
      return parsePem(s);
    }
    byte[] bytes = decodeBase64Any(s);
    if (bytes == null) {
      throw invalid("public key is neither base64url, base64 nor PEM");
    }
    if (bytes.length == 44 && startsWithSpkiPrefix(bytes)) {
      return new DevicePublicKey(Arrays.copyOfRange(bytes, 12, 44));
    }
    return ofRaw(bytes);
  }

  private static DevicePublicKey parsePem(String pem) {
    String begin = "-----BEGIN PUBLIC KEY-----";
    String end = "-----END PUBLIC KEY-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b + begin.length()) { // e inside BEGIN's dashes: no block (found by fuzzing)
      throw invalid("PEM must be a single \"PUBLIC KEY\" block");
    }
    String body = pem.substring(b + begin.length(), e).replaceAll("\\s+", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException ex) {
      throw invalid("PEM body is not base64");
    }
    if (der.length != 44 || !startsWithSpkiPrefix(der)) {
      throw invalid("PEM is not an Ed25519 SubjectPublicKeyInfo");
    }
    return new DevicePublicKey(Arrays.copyOfRange(der, 12, 44));
  }

  private static boolean startsWithSpkiPrefix(byte[] bytes) {
    return Arrays.equals(bytes, 0, 12, SPKI_PREFIX, 0, 12);
  }

  /** Decodes base64url or standard base64, padded or not; null if neither. */
  static byte[] decodeBase64Any(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '+' || c == '/' || c == '=';
      if (!ok) {
        return null;
      }
    }
    boolean url = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
    boolean std = s.indexOf('+') >= 0 || s.indexOf('/') >= 0;
    if (url && std) {
      return null;
    }
    try {
      return url ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static InvalidArgumentException invalid(String why) {
    return new InvalidArgumentException(ErrorCode.PUBLIC_KEY_INVALID, "device public key invalid: " + why);
  }

  /** A copy of the 32 raw key bytes. */
  public byte[] rawBytes() {
    return raw.clone();
  }

  /** The canonical wire form: unpadded base64url of the raw bytes (43 characters). */
  public String base64Url() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** The SPKI PEM form, as Node's {@code crypto} and OpenSSL write it. */
  public String pem() {
    byte[] der = new byte[44];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, 12);
    System.arraycopy(raw, 0, der, 12, 32);
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The device id this key derives: hex(SHA-256(raw)). */
  public DeviceId deviceId() {
    return DeviceId.of(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DevicePublicKey other && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return base64Url();
  }
}
