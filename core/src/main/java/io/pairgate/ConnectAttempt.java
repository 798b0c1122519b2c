package io.pairgate;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Everything a connecting client presented, as the gateway received it. Fields that are signed are
 * kept exactly as sent (the scopes in their original order), because the proof covers them byte
 * for byte. Build one with {@link #builder()}.
 *
 * @param deviceId the device id the client claims (checked against the key)
 * @param publicKey the public key as sent (base64url, base64 or PEM)
 * @param role the requested role
 * @param scopes the requested scopes, as sent and in the order sent
 * @param client what the client says about itself
 * @param signature the Ed25519 signature, base64url (standard base64 accepted)
 * @param signedAtMs the client's signing time, epoch milliseconds
 * @param nonce the nonce the client signed; empty if it sent none
 * @param challenge the challenge the gateway issued for this connection
 * @param auth how the gateway authenticated the connection
 * @param token the auth token the client sent and signed (shared or device token); empty if none.
 *     With {@link AuthMethod#DEVICE_TOKEN} it is verified as the device token.
 * @param peerAddress the socket peer's IP address, or empty if unknown
 * @param headers request headers relevant to locality ({@code host}, {@code origin},
 *     {@code x-forwarded-for}, …), keys lowercased
 * @param scheme how the client reached the gateway: {@code ws} or {@code http} (plain),
 *     {@code wss} or {@code https} (TLS), or empty when the gateway does not say. It makes the
 *     gateway's own origin exact (R16.4): with it, {@code http://gw.example} is not the origin of a
 *     {@code wss} connection to {@code gw.example}.
 */
public record ConnectAttempt(
    String deviceId,
    String publicKey,
    Role role,
    List<String> scopes,
    ClientInfo client,
    String signature,
    long signedAtMs,
    String nonce,
    Challenge challenge,
    AuthMethod auth,
    String token,
    String peerAddress,
    Map<String, String> headers,
    String scheme) {

  /**
   * Copies collections and lowercases header names.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for a scheme other than
   *     {@code ws}, {@code wss}, {@code http}, {@code https} or empty
   */
  public ConnectAttempt {
    if (!List.of("", "ws", "wss", "http", "https").contains(scheme)) {
      throw new InvalidArgumentException("scheme must be ws, wss, http, https or empty");
    }
    scopes = List.copyOf(scopes);
    TreeMap<String, String> h = new TreeMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
    headers = java.util.Collections.unmodifiableSortedMap(h);
  }

  /** The longest browser origin kept by {@link #browserOrigin()}, in characters. */
  public static final int MAX_ORIGIN_LENGTH = 256;

  /**
   * The browser {@code Origin} header, stripped, as recorded on a pending request; empty when
   * absent. A value over {@link #MAX_ORIGIN_LENGTH} characters is cut to that
   * length and ends in {@code "…"}. It is what the client sent, not a verified fact.
   */
  public String browserOrigin() {
    String o = headers.get("origin");
    if (o == null) {
      return "";
    }
    o = o.strip();
    if (o.length() > MAX_ORIGIN_LENGTH) {
      int end = MAX_ORIGIN_LENGTH - 1;
      if (Character.isHighSurrogate(o.charAt(end - 1))) {
        end--;
      }
      o = o.substring(0, end) + "\u2026";
    }
    return o;
  }

  /** The redacted form: the token never appears. */
  @Override
  public String toString() {
    return "ConnectAttempt[deviceId=" + deviceId + ", role=" + role + ", scopes=" + scopes
        + ", client=" + client + ", signedAtMs=" + signedAtMs + ", nonce=" + nonce + ", auth="
        + auth.wireName() + ", token=" + (token.isEmpty() ? "" : "<redacted>") + ", peerAddress="
        + peerAddress + "]";
  }

  /**
   * A new builder. Required: {@link Builder#role(Role) role}, {@link Builder#auth(AuthMethod,
   * String) auth} and {@link Builder#challenge(Challenge) challenge}; neither the role nor the
   * authentication method has a default, because a default would decide how much the attempt is
   * trusted (silent approval depends on both).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link ConnectAttempt}. Role, auth and challenge must be set; unset optional fields
   * (scopes, client, proof, peer address, headers, scheme) default to empty values.
   */
  public static final class Builder {
    private String deviceId = "";
    private String publicKey = "";
    private @Nullable Role role;
    private List<String> scopes = List.of();
    private ClientInfo client = ClientInfo.unknown();
    private String signature = "";
    private long signedAtMs;
    private String nonce = "";
    private Challenge challenge = new Challenge("", java.time.Instant.EPOCH);
    private boolean challengeSet;
    private @Nullable AuthMethod auth;
    private String token = "";
    private String peerAddress = "";
    private Map<String, String> headers = Map.of();
    private String scheme = "";

    private Builder() {}

    /**
     * How the client reached the gateway: {@code ws}/{@code http} or {@code wss}/{@code https}
     * (default: empty, unknown). Lets Pairgate tell the gateway's own browser origin exactly.
     */
    public Builder scheme(String scheme) {
      this.scheme = scheme;
      return this;
    }

    /** The claimed device id and the public key as sent. */
    public Builder device(String deviceId, String publicKey) {
      this.deviceId = deviceId;
      this.publicKey = publicKey;
      return this;
    }

    /** The requested role (required: there is no default). */
    public Builder role(Role role) {
      this.role = role;
      return this;
    }

    /** The requested scopes, in the order sent. */
    public Builder scopes(List<String> scopes) {
      this.scopes = scopes;
      return this;
    }

    /** The requested scopes, in the order sent. */
    public Builder scopes(String... scopes) {
      this.scopes = List.of(scopes);
      return this;
    }

    /** The client's self-description. */
    public Builder client(ClientInfo client) {
      this.client = client;
      return this;
    }

    /** The proof: signature, signing time and signed nonce (empty if none was sent). */
    public Builder proof(String signature, long signedAtMs, String nonce) {
      this.signature = signature;
      this.signedAtMs = signedAtMs;
      this.nonce = nonce;
      return this;
    }

    /** The challenge issued for this connection. */
    public Builder challenge(Challenge challenge) {
      this.challenge = challenge;
      this.challengeSet = true;
      return this;
    }

    /**
     * How the gateway authenticated the connection, and the token the client sent (or empty).
     * Required: there is no default.
     */
    public Builder auth(AuthMethod auth, String token) {
      this.auth = auth;
      this.token = token;
      return this;
    }

    /** The socket peer's address. */
    public Builder peerAddress(String peerAddress) {
      this.peerAddress = peerAddress;
      return this;
    }

    /** Request headers (names are case-insensitive). */
    public Builder headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    /**
     * Builds the attempt.
     *
     * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if the role, the
     *     authentication method or the challenge was not set (the message names which)
     */
    public ConnectAttempt build() {
      Role r = role;
      AuthMethod a = auth;
      if (r == null) {
        throw new InvalidArgumentException("a connect attempt needs the requested role (role(...)); there is no default");
      }
      if (a == null) {
        throw new InvalidArgumentException("a connect attempt needs how the gateway authenticated it (auth(...)); there is no"
                + " default");
      }
      if (!challengeSet) {
        throw new InvalidArgumentException("a connect attempt needs the challenge issued for its connection (challenge(...))");
      }
      return new ConnectAttempt(
          deviceId, publicKey, r, scopes, client, signature, signedAtMs, nonce, challenge, a,
          token, peerAddress, headers, scheme);
    }
  }
}
