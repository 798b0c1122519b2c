package io.pairgate.client;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.DeviceKeyPair;
import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairgateException;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a device sends in its connect frame, signed for one server challenge: the device id and
 * public key, the role and scopes (in the order sent), its client details, the auth token it
 * presents, the challenge nonce, the signing time and the Ed25519 signature over the
 * {@link ProofPayload#v3 v3} (or, for old gateways, {@link ProofPayload#v2 v2}) payload. Because
 * the payload is built by the same {@link ProofPayload} the gateway verifies with, a Java client
 * signs exactly what the gateway checks.
 *
 * <pre>{@code
 * ConnectProof proof = ConnectProof.builder(identity.keyPair(), clock)
 *     .role(Role.OPERATOR).scopes("operator.read")
 *     .client(ClientInfo.of("cli", "cli", "linux"))
 *     .auth(AuthMethod.SHARED_TOKEN, sharedToken)
 *     .sign(challenge.nonce());
 * // gateway side (or an in-process test):
 * ConnectAttempt attempt = proof.toAttempt(challenge).peerAddress(peer).build();
 * }</pre>
 *
 * @param deviceId the device id (derived from the key)
 * @param publicKey the public key, unpadded base64url
 * @param role the requested role
 * @param scopes the requested scopes, in the order sent and signed
 * @param client the client details (clientId, mode, platform and device family are signed)
 * @param auth how the client authenticates besides the proof
 * @param token the token sent and signed (shared or device token); empty if none
 * @param nonce the signed challenge nonce
 * @param signedAtMs the signing time, epoch milliseconds
 * @param payloadVersion the payload format that was signed
 * @param signature the Ed25519 signature, unpadded base64url
 */
public record ConnectProof(
    String deviceId,
    String publicKey,
    Role role,
    List<String> scopes,
    ClientInfo client,
    AuthMethod auth,
    String token,
    String nonce,
    long signedAtMs,
    PayloadVersion payloadVersion,
    String signature) {

  /** The signed payload formats. */
  public enum PayloadVersion {
    /** {@code v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce}. */
    V2,
    /** v2's fields plus normalized {@code platform|deviceFamily}; what current gateways expect. */
    V3
  }

  /** Copies the scopes. */
  public ConnectProof {
    scopes = List.copyOf(scopes);
  }

  /** A builder signing with {@code key}, taking the signing time from {@code clock}. */
  public static Builder builder(DeviceKeyPair key, Clock clock) {
    return new Builder(key, clock);
  }

  /** A builder signing with the identity's key. */
  public static Builder builder(DeviceIdentity identity, Clock clock) {
    return new Builder(identity.keyPair(), clock);
  }

  /** The exact string that was signed. */
  public String payload() {
    return payloadVersion == PayloadVersion.V3
        ? ProofPayload.v3(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
            signedAtMs, token, nonce, client.platform(), client.deviceFamily())
        : ProofPayload.v2(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
            signedAtMs, token, nonce);
  }

  /**
   * A connect attempt as the gateway receives this proof on the connection it issued
   * {@code challenge} for. Add what only the gateway knows (peer address, headers) and build.
   */
  public ConnectAttempt.Builder toAttempt(Challenge challenge) {
    return ConnectAttempt.builder()
        .device(deviceId, publicKey)
        .role(role)
        .scopes(scopes)
        .client(client)
        .proof(signature, signedAtMs, nonce)
        .challenge(challenge)
        .auth(auth, token);
  }

  /** Redacted: the token never appears. */
  @Override
  public String toString() {
    return "ConnectProof[deviceId=" + deviceId + ", role=" + role + ", scopes=" + scopes
        + ", client=" + client + ", auth=" + auth.wireName() + ", token="
        + (token.isEmpty() ? "" : "<redacted>") + ", nonce=" + nonce + ", signedAtMs="
        + signedAtMs + ", payloadVersion=" + payloadVersion + "]";
  }

  /** Collects what the device asks for, then signs it for one challenge nonce. */
  public static final class Builder {
    private final DeviceKeyPair key;
    private final Clock clock;
    private @Nullable Role role;
    private List<String> scopes = List.of();
    private ClientInfo client = ClientInfo.unknown();
    private @Nullable AuthMethod auth;
    private String token = "";
    private PayloadVersion version = PayloadVersion.V3;

    private Builder(DeviceKeyPair key, Clock clock) {
      this.key = Objects.requireNonNull(key, "key");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The requested role (required: there is no default). */
    public Builder role(Role role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    /** The requested scopes, in the order they will be sent. */
    public Builder scopes(List<String> scopes) {
      this.scopes = List.copyOf(scopes);
      return this;
    }

    /** The requested scopes, in the order they will be sent. */
    public Builder scopes(String... scopes) {
      this.scopes = List.of(scopes);
      return this;
    }

    /** The client's self-description (default: every field empty). */
    public Builder client(ClientInfo client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * How the client authenticates and the token it presents (required: there is no default,
     * so that a forgotten call cannot claim a shared-token authentication). The token is part of
     * the signed payload.
     */
    public Builder auth(AuthMethod auth, String token) {
      this.auth = Objects.requireNonNull(auth, "auth");
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /** Authenticates with a device token from a {@link TokenCache}. */
    public Builder deviceToken(TokenCache.CachedToken cached) {
      return auth(AuthMethod.DEVICE_TOKEN, cached.token());
    }

    /** The payload format (default {@link PayloadVersion#V3}). */
    public Builder payloadVersion(PayloadVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Signs the request for the challenge nonce the gateway sent, at the clock's current time.
     *
     * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for an empty
     *     nonce, or when {@link #role(Role)} or {@link #auth(AuthMethod, String)} was not called
     *     (nothing is signed)
     */
    public ConnectProof sign(String nonce) {
      Role role = this.role;
      AuthMethod auth = this.auth;
      if (role == null) {
        throw new InvalidArgumentException("a connect proof needs role(...): there is no default"
            + " role");
      }
      if (auth == null) {
        throw new InvalidArgumentException("a connect proof needs auth(...): there is no default"
            + " authentication method");
      }
      if (nonce.isBlank()) {
        throw new InvalidArgumentException("a connect proof needs the gateway's challenge nonce");
      }
      long signedAt = clock.millis();
      ConnectProof unsigned = new ConnectProof(
          key.deviceId().value(), key.publicKey().base64Url(), role, scopes, client, auth, token,
          nonce, signedAt, version, "");
      String signature = key.sign(unsigned.payload());
      return new ConnectProof(
          unsigned.deviceId, unsigned.publicKey, role, scopes, client, auth, token, nonce,
          signedAt, version, signature);
    }

    /** Signs for {@code challenge}'s nonce; see {@link #sign(String)}. */
    public ConnectProof sign(Challenge challenge) {
      return sign(challenge.nonce());
    }
  }
}
