package io.pairgate.cli;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.store.json.JsonPairingStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A small embedded "gateway" run as a child JVM by {@link SubprocessLoopTest}: keeps one
 * store-json store open for its whole life, like a real gateway, and connects its device when
 * told to on stdin ({@code connect scope,scope}), answering one line per connect on stdout:
 * {@code allowed <scopes>}, {@code pairing-required <reason> <requestId>} or
 * {@code rejected <code>}. {@code quit} ends it.
 */
public final class GatewayHarnessMain {
  private GatewayHarnessMain() {}

  /** Arguments: store directory, identity file. */
  public static void main(String[] args) throws Exception {
    Clock clock = Clock.systemUTC();
    DeviceIdentity device = DeviceIdentity.loadOrCreate(Path.of(args[1]), clock);
    try (JsonPairingStore store = JsonPairingStore.open(Path.of(args[0]))) {
      PairingService service = PairingService.builder(store).clock(clock).build();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      System.out.println("ready " + device.deviceId());
      System.out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("quit")) {
          break;
        }
        List<String> scopes = List.of(line.substring("connect ".length()).split(","));
        Challenge c = service.issueChallenge();
        ConnectProof proof = ConnectProof.builder(device, clock).role(Role.OPERATOR).scopes(scopes)
            .client(ClientInfo.of("harness", "backend", "linux"))
            .auth(AuthMethod.SHARED_TOKEN, "shared").sign(c);
        ConnectResult r = service.connect(proof.toAttempt(c).peerAddress("127.0.0.1").build());
        String answer = r.<String>fold(
            a -> "allowed " + a.scopes(),
            p -> "pairing-required " + p.reason().wireName() + " " + p.requestId(),
            x -> "rejected " + x.code().wireName());
        System.out.println(answer);
        System.out.flush();
      }
    }
  }
}
