package io.pairgate.bench;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairingService;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds what a device sends: keys, signed connect attempts, and paired devices made through the
 * public API (connect, then approve), exactly as a gateway and its operator would.
 */
public final class Fleet {
  /** The six operator scopes every benchmark device asks for and is approved for. */
  public static final List<String> SIX_SCOPES =
      List.of(
          "operator.admin",
          "operator.read",
          "operator.write",
          "operator.approvals",
          "operator.pairing",
          "operator.talk");

  /** The client every benchmark device claims to be. */
  public static final ClientInfo CLIENT = ClientInfo.of("cli", "cli", "linux");

  /** The approver of every benchmark request. */
  public static final Approver ADMIN = Approver.admin("bench");

  /** The peer address of every benchmark connect. */
  public static final String PEER = "203.0.113.7";

  private Fleet() {}

  /** A paired device: its key, id, device token for {@code operator}, and approved baseline. */
  public record Paired(DeviceKeyPair key, DeviceId id, String token, ScopeSet baseline) {}

  /** The key pair of device number {@code i} (deterministic: the same number gives the same key). */
  public static DeviceKeyPair key(long i) {
    return DeviceKeyPair.fromSeed(sha256("pairgate-bench-device-" + i));
  }

  /**
   * A fresh copy of {@code s}, as a JSON parser would produce for each frame; used where the
   * retained size of per-device strings matters.
   */
  public static String fresh(String s) {
    return new String(s.toCharArray());
  }

  /** Fresh copies of every string in {@code list}. */
  public static List<String> fresh(List<String> list) {
    List<String> out = new ArrayList<>(list.size());
    for (String s : list) {
      out.add(fresh(s));
    }
    return out;
  }

  /** {@link #CLIENT} with fresh strings. */
  public static ClientInfo freshClient() {
    return ClientInfo.of(fresh("cli"), fresh("cli"), fresh("linux"));
  }

  /**
   * A signed attempt on a challenge freshly issued by {@code service}, signed at
   * {@code clock.millis()}; {@code legacyV2} signs the older v2 payload instead of v3.
   */
  public static ConnectAttempt attempt(
      PairingService service,
      DeviceKeyPair key,
      List<String> scopes,
      ClientInfo client,
      AuthMethod auth,
      String token,
      Clock clock,
      boolean legacyV2) {
    return attempt(service, key, scopes, client, auth, token, clock, legacyV2, PEER);
  }

  /** As above, from the socket peer {@code peer}. */
  public static ConnectAttempt attempt(
      PairingService service,
      DeviceKeyPair key,
      List<String> scopes,
      ClientInfo client,
      AuthMethod auth,
      String token,
      Clock clock,
      boolean legacyV2,
      String peer) {
    Challenge c = service.issueChallenge();
    long signedAt = clock.millis();
    String id = key.deviceId().value();
    String role = Role.OPERATOR.name();
    String payload =
        legacyV2
            ? ProofPayload.v2(
                id, client.clientId(), client.clientMode(), role, scopes, signedAt, token,
                c.nonce())
            : ProofPayload.v3(
                id, client.clientId(), client.clientMode(), role, scopes, signedAt, token,
                c.nonce(), client.platform(), client.deviceFamily());
    return ConnectAttempt.builder()
        .device(id, key.publicKey().base64Url())
        .role(Role.OPERATOR)
        .scopes(scopes)
        .client(client)
        .proof(key.sign(payload), signedAt, c.nonce())
        .challenge(c)
        .auth(auth, token)
        .peerAddress(peer)
        .build();
  }

  /** A first connect of {@code key} asking for the six scopes; returns the pending request id. */
  public static RequestId request(PairingService service, DeviceKeyPair key, Clock clock) {
    ConnectResult r =
        service.connect(
            attempt(service, key, SIX_SCOPES, CLIENT, AuthMethod.SHARED_TOKEN, "", clock, false));
    if (r instanceof ConnectResult.PairingRequired p) {
      return p.requestId();
    }
    throw new IllegalStateException("expected pairing required, got " + r);
  }

  /**
   * Pairs {@code key} through the public API; with {@code freshStrings} every string the client
   * sends is a new instance, as in a gateway that parses JSON frames.
   */
  public static Paired pair(
      PairingService service, DeviceKeyPair key, Clock clock, boolean freshStrings) {
    List<String> scopes = freshStrings ? fresh(SIX_SCOPES) : SIX_SCOPES;
    ClientInfo client = freshStrings ? freshClient() : CLIENT;
    ConnectResult r =
        service.connect(
            attempt(service, key, scopes, client, AuthMethod.SHARED_TOKEN, "", clock, false));
    if (!(r instanceof ConnectResult.PairingRequired p)) {
      throw new IllegalStateException("expected pairing required, got " + r);
    }
    Approval a = service.approve(p.requestId(), ADMIN);
    // the approval stores no secret: the device's first connect mints and receives it
    ConnectResult first =
        service.connect(
            attempt(service, key, scopes, client, AuthMethod.SHARED_TOKEN, "", clock, false));
    if (!(first instanceof ConnectResult.Allowed al) || al.secret().isEmpty()) {
      throw new IllegalStateException("expected an allowed connect with a secret, got " + first);
    }
    String token = al.secret().get().value();
    return new Paired(key, key.deviceId(), token, a.device().approvedScopes());
  }

  /**
   * Pairs devices {@code from .. from+n-1} on two threads (the service is thread-safe; the threads
   * only save setup time); returns them in order when {@code keep}, else an empty array.
   */
  public static Paired[] pairMany(
      PairingService service, long from, int n, Clock clock, boolean freshStrings, boolean keep) {
    Paired[] out = new Paired[keep ? n : 0];
    int threads = 2;
    List<Thread> workers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  for (int i = first; i < n; i += threads) {
                    Paired p = pair(service, key(from + i), clock, freshStrings);
                    if (keep) {
                      out[i] = p;
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      w.start();
      workers.add(w);
    }
    try {
      for (Thread w : workers) {
        w.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("pairing failed", failure.get());
    }
    return out;
  }

  /** SHA-256 of the UTF-8 bytes of {@code s}. */
  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
