package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.testsupport.FuzzText;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes proof-of-possession verification through {@link PairingService#connect}. A real device
 * key signs the payload of one set of fields (the fuzzer's), and the attempt then presents the same
 * or other fields, key, id, time, nonce or signature. Checked for every input:
 *
 * <ul>
 *   <li>soundness: a connect that gets past the proof checks presented exactly the fields the key
 *       signed (all of them for a v3 signature; all but platform and device family for v2), with
 *       the signer's key and id, a fresh time and the outstanding nonce;
 *   <li>completeness: an untampered, fresh proof is never refused as a bad proof;
 *   <li>a refused proof writes nothing, and a nonce is good for one connect only;
 *   <li>the refusal message never quotes the token that was signed.
 * </ul>
 *
 * Input: lines {@code flags, clientId, mode, role, scopes, platform, family, token}, then optional
 * presented replacements for clientId..family ({@code -} or absent = as signed). Flags: {@code 2}
 * sign v2; {@code k} present another key; {@code i} present another id; {@code p} key as PEM;
 * {@code b} flip a signature bit; {@code n} present another nonce; {@code o} old signature
 * (skew + 1 ms); {@code f} future signature within skew; {@code r} replay the same attempt.
 */
class ProofFuzzTest {
  private static final DeviceKeyPair KEY = Fixture.key("fuzz-proof-signer");
  private static final DeviceKeyPair OTHER = Fixture.key("fuzz-proof-other");
  /** Refusals at or before the proof check: admission (R16) and proof (R1.3). */
  private static final Set<ErrorCode> PROOF_ERRORS = Set.of(
      ErrorCode.FIELD_TOO_LONG, ErrorCode.INVALID_FIELD,
      ErrorCode.DEVICE_ID_MISMATCH, ErrorCode.PUBLIC_KEY_INVALID, ErrorCode.SIGNATURE_EXPIRED,
      ErrorCode.NONCE_REQUIRED, ErrorCode.NONCE_MISMATCH, ErrorCode.SIGNATURE_INVALID);
  private static final long SKEW_MS = 120_000;

  @FuzzTest(maxDuration = "10m")
  void connectAcceptsExactlyWhatWasSigned(byte[] data) {
    List<String> f = FuzzText.fields(data, 14);
    String flags = f.get(0);
    String[] signed = {f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6)};
    String token = f.get(7);
    String[] shown = signed.clone();
    for (int i = 0; i < 6; i++) {
      if (present(data, 8 + i) && !f.get(8 + i).equals("-")) {
        shown[i] = f.get(8 + i);
      }
    }
    Role signedRole;
    Role shownRole;
    try {
      signedRole = Role.of(signed[2]);
      shownRole = Role.of(shown[2]);
    } catch (PairgateException e) {
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      return; // a role name the gateway cannot even represent never reaches connect
    }
    Fixture fx = new Fixture();
    Challenge c = fx.service.issueChallenge();
    long now = fx.clock.millis();
    long signedAt = flags.contains("o") ? now - SKEW_MS - 1 : flags.contains("f") ? now + SKEW_MS : now;
    boolean v2 = flags.contains("2");
    List<String> signedScopes = scopes(signed[3]);
    String payload = v2
        ? ProofPayload.v2(KEY.deviceId().value(), signed[0], signed[1], signedRole.name(),
            signedScopes, signedAt, token, c.nonce())
        : ProofPayload.v3(KEY.deviceId().value(), signed[0], signed[1], signedRole.name(),
            signedScopes, signedAt, token, c.nonce(), signed[4], signed[5]);
    String signature = KEY.sign(payload);
    if (flags.contains("b")) {
      byte[] sig = java.util.Base64.getUrlDecoder().decode(signature);
      sig[Math.floorMod(data.length, 64)] ^= (byte) (1 << Math.floorMod(data.length, 8));
      signature = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }
    DeviceKeyPair shownKey = flags.contains("k") ? OTHER : KEY;
    String keyText = flags.contains("p") ? shownKey.publicKey().pem() : shownKey.publicKey().base64Url();
    String idText = flags.contains("i") ? OTHER.deviceId().value() : KEY.deviceId().value();
    String nonce = flags.contains("n") ? c.nonce() + "x" : c.nonce();
    ClientInfo client = new ClientInfo(shown[0], shown[1], shown[4], shown[5], "", "");
    ConnectAttempt attempt = ConnectAttempt.builder()
        .device(idText, keyText)
        .role(shownRole)
        .scopes(scopes(shown[3]))
        .client(client)
        .proof(signature, signedAt, nonce)
        .challenge(c)
        .auth(AuthMethod.SHARED_TOKEN, token)
        .peerAddress("203.0.113.7")
        .headers(Map.of("host", "gateway.example:18789"))
        .build();

    ConnectResult r = connect(fx, attempt);
    boolean proofRefused = r instanceof ConnectResult.Rejected x && PROOF_ERRORS.contains(x.code());
    boolean sameShared = Arrays.equals(Arrays.copyOf(signed, 4), Arrays.copyOf(shown, 4));
    boolean sameMeta = ClientInfo.normalizeMetadata(signed[4]).equals(client.normalizedPlatform())
        && ClientInfo.normalizeMetadata(signed[5]).equals(client.normalizedDeviceFamily());
    boolean fieldsCovered = sameShared && (v2 || sameMeta);
    boolean genuine = fieldsCovered && signable(shown, token) && withinLimits(shown, token) && shownKey == KEY && idText.equals(KEY.deviceId().value())
        && nonce.equals(c.nonce()) && !flags.contains("b") && !flags.contains("o");
    if (!proofRefused) {
      assertTrue(genuine, () -> "a proof over other fields, key, time or nonce got past the checks: "
          + "signed " + Arrays.toString(signed) + (v2 ? " (v2)" : " (v3)") + ", shown "
          + Arrays.toString(shown) + ", flags '" + flags + "' -> " + r);
      // the nonce is used up: presenting the same attempt again is refused
      ConnectResult again = connect(fx, attempt);
      assertTrue(again instanceof ConnectResult.Rejected x2 && x2.code() == ErrorCode.NONCE_MISMATCH,
          () -> "replayed nonce accepted: " + again);
    } else {
      ConnectResult.Rejected x = (ConnectResult.Rejected) r;
      assertFalse(genuine, () -> "a genuine, fresh proof was refused: " + x + " for signed "
          + Arrays.toString(signed) + ", flags '" + flags + "'");
      assertTrue(fx.store.load(KEY.deviceId()).isEmpty(), "a refused proof wrote a record");
      assertTrue(fx.store.load(OTHER.deviceId()).isEmpty(), "a refused proof wrote a record");
      if (token.length() >= 12) {
        FuzzText.assertNoEcho(x.message(), token);
      }
      FuzzText.assertSafeText(x.message(), 200);
    }
  }

  /** Whether line {@code index} exists in the input (a trailing empty field counts only if its newline is there). */
  private static boolean present(byte[] data, int index) {
    int lines = 0;
    for (byte b : data) {
      if (b == '\n') {
        lines++;
      }
    }
    return lines >= index;
  }

  private static ConnectResult connect(Fixture fx, ConnectAttempt a) {
    try {
      return fx.service.connect(a);
    } catch (PairgateException e) {
      // bad input the service refuses outright (an unusable scope name, ...): typed, and nothing written
      assertTrue(fx.store.load(KEY.deviceId()).isEmpty(), "a refused connect wrote a record");
      return new ConnectResult.Rejected(a.deviceId(), e.code(), String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      fail("connect threw an untyped " + e, e);
      throw e;
    }
  }

  /** R1.2: no signed field may hold '|' or a control character, no scope a ','. */
  private static boolean signable(String[] shown, String token) {
    String all = String.join("", shown[0], shown[1], shown[4], shown[5], token, shown[3]);
    return all.chars().noneMatch(c -> c == '|' || Character.isISOControl(c))
        && scopes(shown[3]).stream().noneMatch(s -> s.indexOf(',') >= 0);
  }

  /**
   * Whether the presented fields are within the admission limits (R16.1), written out here rather
   * than asked of {@link InputLimits#check} so that the oracle stays independent of the code under
   * test. An over-limit genuine proof is refused {@code field-too-long}, which is not a wrong
   * refusal (the harness missed this until finding F14).
   */
  private static boolean withinLimits(String[] shown, String token) {
    List<String> sc = scopes(shown[3]);
    return shown[0].length() <= 128 && shown[1].length() <= 64 && shown[2].length() <= 64
        && sc.size() <= 64 && sc.stream().allMatch(x -> x.length() <= 128)
        && shown[4].length() <= 128 && shown[5].length() <= 64 && token.length() <= 1024;
  }

  private static List<String> scopes(String line) {
    return line.isEmpty() ? List.of() : List.of(line.split(",", -1));
  }
}
