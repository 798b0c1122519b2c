package io.pairgate.modulecheck;

import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceKeyPair;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.PairgateGateway;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.RandomSource;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import io.pairgate.testkit.ScenarioResult;
import io.pairgate.testkit.ScenarioRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Uses each published module the way an embedder does, from a named module. */
public final class ModuleCheck {
  private ModuleCheck() {}

  /**
   * Pairs a device (pairing required, approval, allowed) on the given store.
   *
   * @return what went wrong, or empty
   */
  public static List<String> pairOnce(PairingStore store, String what) {
    List<String> problems = new ArrayList<>();
    PairingService service = PairingService.builder(store).build();
    DeviceKeyPair key = DeviceKeyPair.generate(RandomSource.secure());
    ConnectResult first = connect(service, key);
    if (!(first instanceof ConnectResult.PairingRequired p)) {
      problems.add(what + ": first connect " + first);
      return problems;
    }
    service.approve(p.requestId(), Approver.admin("module-check"));
    ConnectResult second = connect(service, key);
    if (!(second instanceof ConnectResult.Allowed)) {
      problems.add(what + ": connect after approval " + second);
    }
    return problems;
  }

  private static ConnectResult connect(PairingService service, DeviceKeyPair key) {
    Challenge c = service.issueChallenge();
    ConnectProof proof = ConnectProof.builder(key, Clock.systemUTC()).role(Role.OPERATOR)
        .scopes("operator.read").client(ClientInfo.of("cli", "cli", "linux"))
        .auth(AuthMethod.NONE, "").sign(c);
    return service.connect(proof.toAttempt(c).peerAddress("203.0.113.9").build());
  }

  /**
   * Runs the check and prints what went wrong; exits 1 if anything did.
   *
   * @param args one argument: an empty directory to work in
   */
  public static void main(String[] args) throws Exception {
    List<String> problems = run(Path.of(args[0]));
    problems.forEach(System.out::println);
    System.out.println(problems.isEmpty() ? "module check: ok" : "module check: FAILED");
    if (!problems.isEmpty()) {
      System.exit(1);
    }
  }

  /** Everything the check covers, in a fresh directory; returns the problems found. */
  public static List<String> run(Path dir) throws Exception {
    List<String> problems = new ArrayList<>();
    problems.addAll(pairOnce(new InMemoryPairingStore(), "core in memory"));
    try (JsonPairingStore json = JsonPairingStore.open(dir.resolve("json"))) {
      problems.addAll(pairOnce(json, "store-json"));
    }
    try (JdbcPairingStore sqlite = JdbcPairingStore.sqlite(dir.resolve("pairing.db")).open()) {
      problems.addAll(pairOnce(sqlite, "store-jdbc (SQLite)"));
    }
    for (ScenarioResult r : ScenarioRunner.inMemory().runBundled()) {
      if (!r.passed()) {
        problems.add("testkit bundled vector: " + r);
      }
    }
    try (PairgateGateway gw = PairgateGateway.builder(new InMemoryPairingStore())
        .bind("127.0.0.1").port(0).sharedToken("module-check-shared-token-0123456789")
        .start()) {
      // the console's page and script come from the gateway module's own resources
      HttpClient http = HttpClient.newHttpClient();
      for (String path : List.of("/console", "/console/console.js")) {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200 || res.body().isEmpty()) {
          problems.add("gateway " + path + ": HTTP " + res.statusCode());
        }
      }
    }
    return problems;
  }
}
