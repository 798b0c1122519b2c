package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.internal.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A test client on the JDK's WebSocket client (no hand-written framing): frames are JSON, the close
 * code and reason are recorded. Connect frames are signed with core's {@link ConnectProof}.
 */
final class WsClient implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Duration WAIT = Duration.ofSeconds(15);

  record Close(int code, String reason) {}

  final WebSocket ws;
  final LinkedBlockingQueue<JsonNode> frames;
  final CompletableFuture<Close> closed;

  private WsClient(WebSocket ws, LinkedBlockingQueue<JsonNode> frames,
      CompletableFuture<Close> closed) {
    this.ws = ws;
    this.frames = frames;
    this.closed = closed;
  }

  static WsClient open(String url) {
    return open(url, Map.of());
  }

  static WsClient open(String url, Map<String, String> headers) {
    LinkedBlockingQueue<JsonNode> q = new LinkedBlockingQueue<>();
    CompletableFuture<Close> c = new CompletableFuture<>();
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
    headers.forEach(b::header);
    WebSocket ws = b.buildAsync(URI.create(url), new WebSocket.Listener() {
      final StringBuilder sb = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        sb.append(data);
        if (last) {
          q.add(Wire.JSON.readTree(sb.toString()));
          sb.setLength(0);
        }
        w.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        c.complete(new Close(code, reason));
        return null;
      }

      @Override
      public void onError(WebSocket w, Throwable error) {
        c.complete(new Close(-1, String.valueOf(error)));
      }
    }).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return new WsClient(ws, q, c);
  }

  /** Frames passed over by {@link #next(Predicate)}; later calls see them first. */
  private final java.util.ArrayDeque<JsonNode> skipped = new java.util.ArrayDeque<>();

  /** The next frame, failing after {@link #WAIT}. */
  JsonNode next() {
    if (!skipped.isEmpty()) {
      return skipped.removeFirst();
    }
    return poll();
  }

  private JsonNode poll() {
    try {
      JsonNode n = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (n == null) {
        fail("no frame within " + WAIT + (closed.isDone() ? "; closed " + closed.join() : ""));
      }
      return n;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next frame matching {@code p}, skipping others (ticks, events). */
  JsonNode next(Predicate<JsonNode> p) {
    for (java.util.Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
      JsonNode n = it.next();
      if (p.test(n)) {
        it.remove();
        return n;
      }
    }
    while (true) {
      JsonNode n = poll();
      if (p.test(n)) {
        return n;
      }
      skipped.addLast(n);
    }
  }

  /** The response to request {@code id}. */
  JsonNode response(String id) {
    return next(n -> "res".equals(n.path("type").asString()) && id.equals(n.path("id").asString()));
  }

  /** The next event named {@code name}. */
  JsonNode event(String name) {
    return next(n -> "event".equals(n.path("type").asString())
        && name.equals(n.path("event").asString()));
  }

  /** Waits for the server's close. */
  Close awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the server did not close the connection within " + WAIT, e);
    }
  }

  void sendText(String text) {
    ws.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Sends a request; returns its id. */
  String request(String method, JsonNode params) {
    String id = UUID.randomUUID().toString();
    ObjectNode r = Wire.object();
    r.put("type", "req");
    r.put("id", id);
    r.put("method", method);
    if (params != null) {
      r.set("params", params);
    }
    sendText(Wire.write(r));
    return id;
  }

  /** Sends a request and returns the response. */
  JsonNode call(String method, JsonNode params) {
    return response(request(method, params));
  }

  /** Reads the challenge and returns its nonce. */
  String challenge() {
    JsonNode c = next();
    assertEquals("connect.challenge", c.path("event").asString(), c.toString());
    String nonce = c.path("payload").path("nonce").asString();
    assertNotNull(nonce);
    return nonce;
  }

  /**
   * The connect params of a signed proof, as OpenClaw clients send them ({@link ConnectFrame}'s),
   * with {@code authToken} as {@code auth.token} (none when empty).
   */
  static ObjectNode connectParams(ConnectProof p, String authToken) {
    ObjectNode params = (ObjectNode) Wire.JSON.readTree(ConnectFrame.request("-", p, "test"))
        .path("params");
    if (!authToken.equals(p.token())) {
      params.remove("auth");
      if (!authToken.isEmpty()) {
        params.putObject("auth").put("token", authToken);
      }
    }
    return params;
  }

  @Override
  public void close() {
    ws.abort();
  }
}
