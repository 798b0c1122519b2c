package io.pairgate.store.json;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceKeyPair;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.SupersededException;
import io.pairgate.testkit.SampleRecords;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * One of the two processes of {@link TwoProcessTest}: a {@link PairingService} over a
 * {@link JsonPairingStore} on the shared directory, connecting devices and approving their
 * requests. Both processes use the same devices, so they constantly race on the same records.
 *
 * <p>Each connect that asks for a scope nobody asked for before ({@code operator.u-<name>-<n>})
 * needs an approval; once the approval is acknowledged, the process appends
 * {@code APPROVED <device> <scope> .} to its log. It also reads the other process's log as it
 * grows and checks that every scope the other acknowledged is already in the device's baseline
 * (cross-process visibility); a miss is logged as {@code VIOLATION ...}. Finally it prints
 * {@code DONE <operations> <approvals> <violations>}.
 *
 * <p>Arguments: directory, name, operations, devices, own log, other's log, seed.
 */
public final class PairingChild {
  private static final ClientInfo CLIENT = ClientInfo.of("cli", "cli", "linux");

  private final PairingService service;
  private final Approver approver;
  private final OutputStream log;
  private final Path otherLog;
  private long otherOffset;
  private final StringBuilder otherPartial = new StringBuilder();
  private int violations;
  private final List<String> violationSamples = new ArrayList<>();

  private PairingChild(PairingService service, String name, OutputStream log, Path otherLog) {
    this.service = service;
    this.approver = Approver.admin("process-" + name);
    this.log = log;
    this.otherLog = otherLog;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String name = args[1];
    int operations = Integer.parseInt(args[2]);
    int devices = Integer.parseInt(args[3]);
    Path ownLog = Path.of(args[4]);
    Path otherLog = Path.of(args[5]);
    Random r = new Random(Long.parseLong(args[6]));
    List<DeviceKeyPair> keys = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      keys.add(SampleRecords.keyPair("two-process-" + i));
    }
    try (JsonPairingStore store =
            JsonPairingStore.builder(dir).touchFlushInterval(Duration.ofSeconds(1)).open();
        OutputStream log = new FileOutputStream(ownLog.toFile(), true)) {
      PairingService service = PairingService.builder(store)
          .pendingTtl(Duration.ofHours(1))
          .touchInterval(Duration.ofMillis(50))
          .build();
      PairingChild c = new PairingChild(service, name, log, otherLog);
      int ops = 0;
      int approvals = 0;
      for (int n = 0; ops < operations; n++) {
        DeviceKeyPair k = keys.get(r.nextInt(keys.size()));
        int p = r.nextInt(100);
        if (p < 30) {
          String scope = "operator.u-" + name + "-" + n;
          ConnectResult res = c.connect(k, List.of("operator.read", scope));
          ops++;
          if (!(res instanceof ConnectResult.PairingRequired pr)) {
            throw new AssertionError("a new scope must need approval, got " + res);
          }
          int[] calls = {0};
          if (c.approve(pr.requestId(), calls)) {
            approvals++;
            c.ack("APPROVED " + k.deviceId() + " " + scope);
          }
          ops += calls[0];
        } else if (p < 85) {
          c.connect(k, List.of("operator.read"));
          ops++;
        } else if (p < 93) {
          try {
            service.rotate(k.deviceId(), Role.OPERATOR);
          } catch (PairgateException e) {
            if (e.code() != ErrorCode.UNKNOWN_DEVICE && e.code() != ErrorCode.UNKNOWN_ROLE) {
              throw e;
            }
          }
          ops++;
        } else {
          c.checkOtherLog();
        }
      }
      c.checkOtherLog();
      System.out.println("DONE " + ops + " " + approvals + " " + c.violations + " "
          + String.join(" ; ", c.violationSamples));
    }
  }

  private ConnectResult connect(DeviceKeyPair k, List<String> scopes) {
    Challenge ch = service.issueChallenge();
    String id = k.deviceId().value();
    long signedAt = ch.issuedAt().toEpochMilli();
    String payload = ProofPayload.v3(id, CLIENT.clientId(), CLIENT.clientMode(), "operator",
        scopes, signedAt, "", ch.nonce(), CLIENT.platform(), CLIENT.deviceFamily());
    return service.connect(ConnectAttempt.builder()
        .device(id, k.publicKey().base64Url())
        .role(Role.OPERATOR)
        .scopes(scopes)
        .client(CLIENT)
        .proof(k.sign(payload), signedAt, ch.nonce())
        .challenge(ch)
        .auth(AuthMethod.SHARED_TOKEN, "")
        .peerAddress("127.0.0.1")
        .build());
  }

  /** Approves, following supersessions by the other process; false if the request vanished. */
  private boolean approve(RequestId requestId, int[] calls) {
    RequestId id = requestId;
    for (int attempt = 0; attempt < 50; attempt++) {
      calls[0]++;
      try {
        service.approve(id, approver);
        return true;
      } catch (SupersededException e) {
        id = e.successorRequestId();
      } catch (PairgateException e) {
        if (e.code() == ErrorCode.UNKNOWN_REQUEST) {
          return false; // its tombstone was pruned by a burst of other changes: not acknowledged
        }
        throw e;
      }
    }
    return false;
  }

  private void ack(String line) throws IOException {
    log.write((line + " .\n").getBytes(StandardCharsets.UTF_8));
    log.flush();
  }

  /** Every scope the other process acknowledged so far must already be in the baseline here. */
  private void checkOtherLog() throws IOException {
    if (!Files.exists(otherLog)) {
      return;
    }
    byte[] fresh;
    try (RandomAccessFile f = new RandomAccessFile(otherLog.toFile(), "r")) {
      long len = f.length();
      if (len <= otherOffset) {
        return;
      }
      fresh = new byte[(int) (len - otherOffset)];
      f.seek(otherOffset);
      f.readFully(fresh);
      otherOffset = len;
    }
    otherPartial.append(new String(fresh, StandardCharsets.UTF_8));
    int nl;
    while ((nl = otherPartial.indexOf("\n")) >= 0) {
      String line = otherPartial.substring(0, nl);
      otherPartial.delete(0, nl + 1);
      String[] f = line.split(" ");
      if (!f[0].equals("APPROVED")) {
        continue;
      }
      Optional<PairedDevice> d = service.device(io.pairgate.DeviceId.parse(f[1]));
      if (d.isEmpty() || !d.get().approvedScopes().contains(f[2])) {
        violations++;
        if (violationSamples.size() < 5) {
          violationSamples.add(line + " not visible: " + d.map(PairedDevice::approvedScopes));
        }
      }
    }
  }
}
