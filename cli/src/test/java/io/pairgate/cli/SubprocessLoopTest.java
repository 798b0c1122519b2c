package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The operator's loop with real processes: a gateway child JVM keeps the store-json directory
 * open and connects its device; the CLI runs as separate {@code java} processes against the same
 * directory.
 */
class SubprocessLoopTest {
  @TempDir Path tmp;

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  record Run(int code, String out, String err) {}

  Run cli(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("PAIRGATE_HOME");
    pb.environment().putAll(env);
    Path outFile = tmp.resolve("out-" + System.nanoTime());
    Path errFile = tmp.resolve("err-" + System.nanoTime());
    Process p = pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "CLI process finished");
    return new Run(p.exitValue(), java.nio.file.Files.readString(outFile),
        java.nio.file.Files.readString(errFile));
  }

  @Test
  void listApproveConnectWhileAGatewayProcessConnects() throws Exception {
    Path store = tmp.resolve("store");
    Map<String, String> env = Map.of("PAIRGATE_HOME", store.toString());
    Process gw = new ProcessBuilder(java(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"),
        GatewayHarnessMain.class.getName(), store.toString(), tmp.resolve("id/device.json").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(gw.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter to = new PrintWriter(new OutputStreamWriter(gw.getOutputStream(), StandardCharsets.UTF_8), true)) {
      String ready = in.readLine();
      assertTrue(ready != null && ready.startsWith("ready "), String.valueOf(ready));
      String deviceId = ready.substring("ready ".length());

      to.println("connect operator.read");
      String[] first = in.readLine().split(" ");
      assertEquals("pairing-required", first[0]);
      assertEquals("not-paired", first[1]);

      // the operator, in another process, using $PAIRGATE_HOME
      Run list = cli(env, "devices", "list", "--json");
      assertEquals(0, list.code(), list.err());
      JsonNode pending = Out.JSON.readTree(list.out()).get("pending");
      assertEquals(1, pending.size(), list.out());
      assertEquals(first[2], pending.get(0).get("requestId").asString());
      assertEquals(deviceId, pending.get(0).get("deviceId").asString());

      Run approve = cli(Map.of(), "--store", store.toString(), "devices", "approve", first[2]);
      assertEquals(0, approve.code(), approve.err());
      assertTrue(approve.out().startsWith("Approving request " + first[2]), approve.out());

      to.println("connect operator.read");
      assertEquals("allowed operator.read", in.readLine());

      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        to.println("connect operator.read,operator.write");
        String[] up = in.readLine().split(" ");
        assertEquals("scope-upgrade", up[1], String.join(" ", up));
        ids.add(up[2]);
      }
      assertEquals(1, ids.size(), "one stable request id across reconnects");

      Run latest = cli(env, "devices", "approve", "--latest");
      assertEquals(0, latest.code(), latest.err());
      assertTrue(latest.out().contains(ids.iterator().next()), latest.out());
      assertTrue(latest.out().contains("+ operator.write"), latest.out());

      to.println("connect operator.read,operator.write");
      assertEquals("allowed operator.read,operator.write", in.readLine());
      to.println("connect operator.write");
      assertEquals("allowed operator.write", in.readLine());

      CliRunner inProcess = new CliRunner(store, java.time.Clock.systemUTC());
      assertEquals(0, inProcess.run("devices", "block", deviceId.substring(0, 12)).code());
      to.println("connect operator.read");
      assertEquals("rejected blocked", in.readLine());

      Run bad = cli(env, "devices", "approve", first[2] + "x");
      assertEquals(1, bad.code());
      assertEquals(1, bad.err().lines().count(), bad.err());
      assertTrue(bad.err().startsWith("pairgate: unknown request id"), bad.err());

      CliRunner.Result check = inProcess.run("store", "check");
      assertEquals(0, check.code(), check.toString());
      assertTrue(check.out().contains("is healthy"), check.out());

      to.println("quit");
      assertTrue(gw.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, gw.exitValue());
    } finally {
      gw.destroyForcibly();
    }
  }
}
