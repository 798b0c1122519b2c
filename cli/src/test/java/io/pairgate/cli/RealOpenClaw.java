package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.fail;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.ConnectFrame;
import io.pairgate.testkit.openclaw.OpenClawInstall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real OpenClaw gateway and a small Java client for round-trip tests: the stock
 * {@code openclaw gateway run} of an {@link OpenClawInstall} started as in the appendix of the
 * client-protocol reference, and a WebSocket client that signs with core's {@link ConnectProof}.
 */
final class RealOpenClaw {
  static final String SHARED_TOKEN = "tok-shared-0123456789abcdef";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RealOpenClaw() {}

  /**
   * The install for {@code versions}, or the test is skipped (with the reason printed) when
   * {@code PAIRGATE_SKIP_REAL_CLIENT=1}; an install that fails (registry unreachable) fails the
   * test with its one-line message.
   */
  static OpenClawInstall install(OpenClawInstall.Versions versions) {
    if ("1".equals(System.getenv("PAIRGATE_SKIP_REAL_CLIENT"))) {
      String why = "PAIRGATE_SKIP_REAL_CLIENT=1: skipping the round trip through the real "
          + versions;
      System.out.println(why);
      Assumptions.abort(why);
    }
    try {
      return OpenClawInstall.ensure(versions);
    } catch (OpenClawInstall.InstallException e) {
      return fail(e.getMessage());
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A running gateway; {@link #close()} stops it by the PID it started (SIGTERM, then kill). */
  static final class Gateway implements AutoCloseable {
    final OpenClawInstall install;
    final Path home;
    final Path stateDir;
    final int port;
    private final Process process;

    private Gateway(OpenClawInstall install, Path home, Path stateDir, int port, Process p) {
      this.install = install;
      this.home = home;
      this.stateDir = stateDir;
      this.port = port;
      this.process = p;
    }

    String url() {
      return "ws://127.0.0.1:" + port;
    }

    /** Starts the gateway on {@code stateDir} (created if missing) and waits for its port. */
    static Gateway start(OpenClawInstall install, Path home, Path stateDir) throws Exception {
      int port = freePort();
      Files.createDirectories(stateDir);
      Files.createDirectories(home);
      Path log = home.resolve("gateway-" + port + ".log");
      Files.writeString(stateDir.resolve("openclaw.json"), "{\n"
          + "  \"gateway\": { \"mode\": \"local\", \"bind\": \"loopback\", \"port\": " + port + ",\n"
          + "    \"auth\": { \"mode\": \"token\", \"token\": \"" + SHARED_TOKEN + "\" } },\n"
          + "  \"discovery\": { \"mdns\": { \"mode\": \"off\" } },\n"
          + "  \"update\": { \"checkOnStart\": false },\n"
          + "  \"logging\": { \"file\": \"" + home.resolve("openclaw-" + port + ".log") + "\" }\n"
          + "}\n");
      ProcessBuilder pb = new ProcessBuilder(install.node().toString(),
          install.openclawMjs().toString(), "gateway", "run", "--allow-unconfigured", "--bind",
          "loopback", "--port", Integer.toString(port), "--auth", "token", "--token",
          SHARED_TOKEN).directory(home.toFile());
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", install.nodeBin() + ":/usr/bin:/bin");
      env.put("HOME", home.toString());
      env.put("OPENCLAW_STATE_DIR", stateDir.toString());
      env.put("OPENCLAW_CONFIG_PATH", stateDir.resolve("openclaw.json").toString());
      env.put("OPENCLAW_DISABLE_BONJOUR", "1");
      env.put("OPENCLAW_SKIP_CANVAS_HOST", "1");
      env.put("OPENCLAW_SKIP_CRON", "1");
      env.put("OPENCLAW_SKIP_GMAIL_WATCHER", "1");
      env.put("OPENCLAW_NO_AUTO_UPDATE", "1");
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Gateway g = new Gateway(install, home, stateDir, port, pb.start());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        if (!g.process.isAlive()) {
          fail("the OpenClaw gateway exited with " + g.process.exitValue() + ": "
              + tail(log));
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return g;
        } catch (IOException e) {
          Thread.sleep(500);
        }
      }
      g.close();
      return fail("the OpenClaw gateway did not listen on " + port + " within 180 s: " + tail(log));
    }

    static String tail(Path log) {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    @Override
    public void close() throws Exception {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle c : children) {
        if (c.isAlive()) {
          c.destroy();
          c.onExit().get(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * The outcome of one connect by {@link #connect}: the hello-ok payload, or the error.
   *
   * @param ok whether the gateway answered hello-ok
   * @param payload hello-ok's payload, or the error object
   */
  record Hello(boolean ok, JsonNode payload) {
    String deviceToken() {
      JsonNode t = payload.path("auth").path("deviceToken");
      return t.isString() ? t.asString() : "";
    }

    String requestId() {
      return payload.path("details").path("requestId").asString("");
    }

    String code() {
      return payload.path("code").asString("") + "/" + payload.path("details").path("code")
          .asString("");
    }
  }

  /**
   * One connect of a Java client to {@code url}: challenge, a v3-signed {@code connect} from
   * client {@code cli}/{@code cli}/{@code linux} with the given {@code Origin} (none when empty),
   * retried while the gateway answers {@code UNAVAILABLE} with {@code retryable}.
   */
  static Hello connect(String url, String origin, DeviceKeyPair key, List<String> scopes,
      String token) throws Exception {
    for (int attempt = 0; ; attempt++) {
      Hello h = connectOnce(url, origin, key, scopes, token);
      if (!h.ok() && h.payload().path("code").asString("").equals("UNAVAILABLE")
          && h.payload().path("retryable").asBoolean(false) && attempt < 60) {
        Thread.sleep(Math.max(500, h.payload().path("retryAfterMs").asLong(1000)));
        continue;
      }
      return h;
    }
  }

  private static Hello connectOnce(String url, String origin, DeviceKeyPair key,
      List<String> scopes, String token) throws Exception {
    BlockingQueue<String> in = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder buf = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        buf.append(data);
        if (last) {
          in.add(buf.toString());
          buf.setLength(0);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        in.add("{\"type\":\"closed\",\"status\":" + status + "}");
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        in.add("{\"type\":\"closed\",\"status\":-1}");
      }
    };
    HttpClient http = HttpClient.newHttpClient();
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (!origin.isEmpty()) {
      b.header("Origin", origin);
    }
    WebSocket ws = b.buildAsync(URI.create(url + "/"), listener).get(20, TimeUnit.SECONDS);
    try {
      String nonce = null;
      while (nonce == null) {
        JsonNode m = next(in);
        if (m.path("event").asString("").equals("connect.challenge")) {
          nonce = m.path("payload").path("nonce").asString();
        } else if (m.path("type").asString("").equals("closed")) {
          return new Hello(false, JSON.readTree("{\"code\":\"CLOSED\"}"));
        }
      }
      ClientInfo client = ClientInfo.of("cli", "cli", "linux");
      ConnectProof proof = ConnectProof.builder(key, Clock.systemUTC()).role(Role.OPERATOR)
          .scopes(scopes).client(client).auth(AuthMethod.SHARED_TOKEN, token).sign(nonce);
      String id = UUID.randomUUID().toString();
      ws.sendText(ConnectFrame.request(id, proof, "2026.6.10"), true).get(10, TimeUnit.SECONDS);
      while (true) {
        JsonNode m = next(in);
        if (m.path("type").asString("").equals("res") && m.path("id").asString("").equals(id)) {
          return m.path("ok").asBoolean(false) ? new Hello(true, m.path("payload"))
              : new Hello(false, m.path("error"));
        }
        if (m.path("type").asString("").equals("closed")) {
          return new Hello(false, JSON.readTree("{\"code\":\"CLOSED\"}"));
        }
      }
    } finally {
      ws.abort();
    }
  }

  private static JsonNode next(BlockingQueue<String> in) throws Exception {
    String s = in.poll(30, TimeUnit.SECONDS);
    if (s == null) {
      fail("no frame from the OpenClaw gateway within 30 s");
    }
    return JSON.readTree(s);
  }
}
