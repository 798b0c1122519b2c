package io.pairgate.bench;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.ConnectFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A WebSocket load generator for gateways speaking OpenClaw's protocol (version 4): each
 * {@link #connect} is one full cycle — open, {@code connect.challenge}, a {@code connect} signed
 * with core's {@link ConnectProof} (v3 payload, the 2026.6.10 CLI's shape: client
 * {@code cli}/{@code cli}/{@code linux}, {@code auth.token} = the shared token, role operator),
 * the answer (hello-ok or an error), close. The JDK's {@code java.net.http.WebSocket} does the
 * framing; everything is asynchronous, so many connections run at once on a few threads.
 */
final class WsLoad implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI uri;
  private final String sharedToken;
  private final ExecutorService executor;
  private final HttpClient http;

  WsLoad(String url, String sharedToken, int threads) {
    this.uri = URI.create(url.endsWith("/") ? url : url + "/");
    this.sharedToken = sharedToken;
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "wsload");
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder().executor(executor).connectTimeout(TIMEOUT).build();
  }

  /** The 32-byte seed of bench device {@code i} of key family {@code family} (deterministic). */
  static DeviceKeyPair key(String family, long i) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return DeviceKeyPair.fromSeed(
          sha.digest(("pairgate-bench|" + family + "|" + i).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The outcome of one cycle.
   *
   * @param ok hello-ok received
   * @param code {@code ok}, the error's {@code code/details.code}, or {@code CLOSED}/{@code IO}/
   *     {@code TIMEOUT} when no answer came
   * @param requestId the pairing request id of a NOT_PAIRED answer, else empty
   * @param latencyNanos from opening the socket to the answer
   * @param retryAfterMs an UNAVAILABLE answer's {@code retryAfterMs}, else 0
   */
  record Result(boolean ok, String code, String requestId, long latencyNanos, long retryAfterMs) {}

  /**
   * One full cycle for {@code key} asking for {@code scopes}, with extra upgrade headers (e.g.
   * {@code X-Forwarded-For}); never fails exceptionally.
   */
  CompletableFuture<Result> connect(DeviceKeyPair key, List<String> scopes,
      Map<String, String> headers) {
    Cycle c = new Cycle(key, scopes, null);
    c.start(headers);
    return c.result;
  }

  /**
   * Opens a connection for {@code key} and keeps it after hello-ok: an operator session for RPCs.
   */
  Session session(DeviceKeyPair key, List<String> scopes) throws Exception {
    Session s = new Session();
    Cycle c = new Cycle(key, scopes, s);
    c.start(Map.of());
    Result r = c.result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!r.ok()) {
      s.close();
      throw new IllegalStateException("operator session refused: " + r.code());
    }
    return s;
  }

  /** An open operator connection: one RPC at a time, events ignored. */
  static final class Session implements AutoCloseable {
    private volatile @Nullable WebSocket ws;
    private volatile @Nullable String awaitedId;
    private volatile CompletableFuture<JsonNode> reply = new CompletableFuture<>();

    /** Sends {@code method(params)} and waits for its response frame (the whole frame). */
    JsonNode call(String method, ObjectNode params) throws Exception {
      return call(method, params, TIMEOUT);
    }

    /** As {@link #call(String, ObjectNode)}, waiting at most {@code timeout} for the answer. */
    JsonNode call(String method, ObjectNode params, Duration timeout) throws Exception {
      String id = UUID.randomUUID().toString();
      ObjectNode req = JSON.createObjectNode();
      req.put("type", "req");
      req.put("id", id);
      req.put("method", method);
      req.set("params", params);
      CompletableFuture<JsonNode> f = new CompletableFuture<>();
      reply = f;
      awaitedId = id;
      WebSocket w = ws;
      if (w == null) {
        throw new IllegalStateException("session not open");
      }
      w.sendText(JSON.writeValueAsString(req), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onFrame(JsonNode m) {
      String id = awaitedId;
      if (id != null && "res".equals(m.path("type").asString(""))
          && id.equals(m.path("id").asString(""))) {
        reply.complete(m);
      }
    }

    void onClosed(String why) {
      reply.completeExceptionally(new IllegalStateException("session closed: " + why));
    }

    @Override
    public void close() {
      WebSocket w = ws;
      if (w != null) {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((x, e) -> w.abort());
      }
    }
  }

  /** One connection's state machine (listener callbacks run one at a time per socket). */
  private final class Cycle implements WebSocket.Listener {
    final CompletableFuture<Result> result = new CompletableFuture<>();
    private final DeviceKeyPair key;
    private final List<String> scopes;
    private final @Nullable Session session;
    private final StringBuilder buf = new StringBuilder();
    private final AtomicBoolean done = new AtomicBoolean();
    private long start;
    private @Nullable String connectId;

    Cycle(DeviceKeyPair key, List<String> scopes, @Nullable Session session) {
      this.key = key;
      this.scopes = scopes;
      this.session = session;
    }

    void start(Map<String, String> headers) {
      start = System.nanoTime();
      WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
      headers.forEach(b::header);
      b.buildAsync(uri, this).whenComplete((ws, e) -> {
        if (e != null) {
          finish(null, new Result(false, "IO", "", System.nanoTime() - start, 0));
        }
      });
      // a gateway that never answers: give up after the timeout
      CompletableFuture.delayedExecutor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, executor)
          .execute(() -> finish(null, new Result(false, "TIMEOUT", "", TIMEOUT.toNanos(), 0)));
    }

    private void finish(@Nullable WebSocket ws, Result r) {
      if (done.compareAndSet(false, true)) {
        result.complete(r);
        if (ws != null && (session == null || !r.ok())) {
          // the one-shot CLI closes right after its answer; abort once the close frame is out
          ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((x, e) -> ws.abort());
        }
      }
    }

    @Override
    public void onOpen(WebSocket ws) {
      if (session != null) {
        session.ws = ws;
      }
      ws.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buf.append(data);
      if (last) {
        String text = buf.toString();
        buf.setLength(0);
        try {
          onFrame(ws, JSON.readTree(text));
        } catch (RuntimeException e) {
          finish(ws, new Result(false, "BAD_FRAME", "", System.nanoTime() - start, 0));
        }
      }
      ws.request(1);
      return null;
    }

    private void onFrame(WebSocket ws, JsonNode m) {
      if (done.get()) {
        if (session != null) {
          session.onFrame(m);
        }
        return;
      }
      String type = m.path("type").asString("");
      if (connectId == null && "event".equals(type)
          && "connect.challenge".equals(m.path("event").asString(""))) {
        sendConnect(ws, m.path("payload").path("nonce").asString(""));
      } else if ("res".equals(type) && connectId != null
          && connectId.equals(m.path("id").asString(""))) {
        long t = System.nanoTime() - start;
        if (m.path("ok").asBoolean(false)) {
          finish(ws, new Result(true, "ok", "", t, 0));
        } else {
          JsonNode err = m.path("error");
          JsonNode details = err.path("details");
          String code = err.path("code").asString("") + "/" + details.path("code").asString("");
          finish(ws, new Result(false, code, details.path("requestId").asString(""), t,
              err.path("retryAfterMs").asLong(details.path("retryAfterMs").asLong(0))));
        }
      }
    }

    private void sendConnect(WebSocket ws, String nonce) {
      ClientInfo client = ClientInfo.of("cli", "cli", "linux");
      ConnectProof proof = ConnectProof.builder(key, Clock.systemUTC()).role(Role.OPERATOR)
          .scopes(scopes).client(client).auth(AuthMethod.SHARED_TOKEN, sharedToken).sign(nonce);
      String id = UUID.randomUUID().toString();
      connectId = id;
      ws.sendText(ConnectFrame.request(id, proof, "2026.6.10"), true);
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      finish(null, new Result(false, "CLOSED", "", System.nanoTime() - start, 0));
      if (session != null) {
        session.onClosed(status + " " + reason);
      }
      ws.abort();
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      finish(null, new Result(false, "IO", "", System.nanoTime() - start, 0));
      if (session != null) {
        session.onClosed(String.valueOf(error));
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
