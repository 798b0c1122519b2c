package io.pairgate.gateway.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operator console's files, served from the jar under {@code /console}: a fixed set of
 * resources (no file system, no path resolution), each with a strict Content-Security-Policy.
 * See {@code docs/console.md}.
 */
final class Console {
  /**
   * Only the page's own scripts and styles; network only to its own origin (the WebSocket and
   * {@code config.json}); no string-to-HTML sinks at all (Trusted Types with no policy), no
   * frames, no forms, no base, no plugins.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'; object-src 'none'; require-trusted-types-for 'script';"
      + " trusted-types 'none'";

  private record Asset(String type, byte[] body) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "/console", load("index.html", "text/html; charset=utf-8"),
      "/console/", load("index.html", "text/html; charset=utf-8"),
      "/console/console.js", load("console.js", "text/javascript; charset=utf-8"),
      "/console/console.css", load("console.css", "text/css; charset=utf-8"));

  private Console() {}

  private static Asset load(String name, String type) {
    try (InputStream in = Console.class.getResourceAsStream("/io/pairgate/gateway/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console resource missing from the jar: " + name);
      }
      return new Asset(type, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean handles(String path) {
    return path.equals("/console") || path.startsWith("/console/");
  }

  /** Answers a request for a path under {@code /console}. */
  static void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path,
      String approveCommand) {
    boolean head = req.method().equals(HttpMethod.HEAD);
    try {
      if (!req.method().equals(HttpMethod.GET) && !head) {
        FullHttpResponse res = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8),
            false);
        res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(ctx, res);
        return;
      }
      if (path.equals("/console/config.json")) {
        ObjectNode o = Wire.object();
        o.put("approveCommand", approveCommand);
        send(ctx, response(HttpResponseStatus.OK, "application/json; charset=utf-8",
            Wire.write(o).getBytes(StandardCharsets.UTF_8), head));
        return;
      }
      Asset a = ASSETS.get(path);
      if (a == null) {
        send(ctx, response(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
            "not found\n".getBytes(StandardCharsets.UTF_8), head));
        return;
      }
      send(ctx, response(HttpResponseStatus.OK, a.type(), a.body(), head));
    } finally {
      req.release();
    }
  }

  private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body,
      boolean head) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, type);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return res;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse res) {
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
