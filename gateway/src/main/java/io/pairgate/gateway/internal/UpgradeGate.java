package io.pairgate.gateway.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.pairgate.policy.ClientAddress;
import java.nio.charset.StandardCharsets;

/**
 * Looks at the HTTP request before the WebSocket upgrade: the operator console's files under
 * {@code /console} are served ({@link Console}); only {@code GET /} upgrades are let through; forwarded headers from a peer that is not a trusted proxy get HTTP 403 (as OpenClaw
 * 2026.9 does) when {@code rejectUntrustedForwarded} is on. The address rule is core's
 * ({@link ClientAddress#resolve}).
 */
final class UpgradeGate extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final Hub hub;

  UpgradeGate(Hub hub) {
    super(false);
    this.hub = hub;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = req.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (hub.settings.console() && Console.handles(path)) {
      Console.serve(ctx, req, path, hub.settings.consoleApproveCommand());
      return;
    }
    if (!path.equals("/")) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
      return;
    }
    boolean upgrade = req.method().equals(HttpMethod.GET)
        && req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    if (!upgrade) {
      respond(ctx, req, HttpResponseStatus.UPGRADE_REQUIRED, "text/plain",
          "Pairgate gateway: connect with a WebSocket client (OpenClaw gateway protocol 4)\n");
      return;
    }
    if (hub.settings.rejectUntrustedForwarded()) {
      ClientAddress a = ClientAddress.resolve(Session.peerAddress(ctx.channel().remoteAddress()),
          Session.localityHeaders(req.headers()), hub.settings.trustedProxies(),
          hub.settings.allowRealIpFallback());
      if (a.source() == ClientAddress.Source.PEER_HEADERS_IGNORED
          || (a.proxyHeaders() && !a.problem().isEmpty())) {
        respond(ctx, req, HttpResponseStatus.FORBIDDEN, "application/json",
            "{\"error\":{\"message\":\"Forwarded headers from a peer that is not a trusted proxy."
                + " Configure the gateway's trusted proxies narrowly and make the proxy overwrite"
                + " forwarded client headers.\",\"type\":\"proxy_attribution_required\"}}");
        return;
      }
    }
    ctx.fireChannelRead(req);
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req,
      HttpResponseStatus status, String type, String body) {
    req.release();
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type + "; charset=utf-8");
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
