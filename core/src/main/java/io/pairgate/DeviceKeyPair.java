package io.pairgate;

import io.pairgate.spi.RandomSource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A device's Ed25519 key pair, for clients, tests and demos: signs proof payloads the way a device
 * does. The private seed never appears in {@link #toString()}.
 */
public final class DeviceKeyPair {
  private final byte[] seed;
  private final Ed25519PrivateKeyParameters privateKey;
  private final DevicePublicKey publicKey;

  private DeviceKeyPair(byte[] seed) {
    this.seed = seed;
    this.privateKey = new Ed25519PrivateKeyParameters(seed, 0);
    this.publicKey = DevicePublicKey.ofRaw(privateKey.generatePublicKey().getEncoded());
  }

  /**
   * The key pair of a 32-byte private seed (copied).
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} unless 32 bytes
   */
  public static DeviceKeyPair fromSeed(byte[] seed) {
    if (seed.length != 32) {
      throw new InvalidArgumentException("an Ed25519 seed has 32 bytes, got " + seed.length);
    }
    return new DeviceKeyPair(seed.clone());
  }

  /** A new key pair from {@code random}. */
  public static DeviceKeyPair generate(RandomSource random) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    return new DeviceKeyPair(seed);
  }

  /** A copy of the 32-byte private seed. Keep it secret. */
  public byte[] seed() {
    return seed.clone();
  }

  /** The public key. */
  public DevicePublicKey publicKey() {
    return publicKey;
  }

  /** The device id of the public key. */
  public DeviceId deviceId() {
    return publicKey.deviceId();
  }

  /** Signs the UTF-8 bytes of {@code payload}; returns the signature in unpadded base64url. */
  public String sign(String payload) {
    byte[] msg = payload.getBytes(StandardCharsets.UTF_8);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(msg, 0, msg.length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(signer.generateSignature());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceKeyPair other && Arrays.equals(seed, other.seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "DeviceKeyPair[deviceId=" + deviceId() + ", seed=<redacted>]";
  }
}
