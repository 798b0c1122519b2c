package io.pairgate.gateway.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read backpressure: counts frames handed to the session's executor and stops reading from the
 * socket while {@link #MAX} are waiting, so a client that floods frames fills its own TCP window,
 * not the gateway's memory.
 */
final class Inflight extends ChannelInboundHandlerAdapter {
  static final int MAX = 8;
  private static final AttributeKey<AtomicInteger> COUNT = AttributeKey.valueOf("pairgateInflight");

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    AtomicInteger n = ctx.channel().attr(COUNT).setIfAbsent(new AtomicInteger());
    if (n == null) {
      n = ctx.channel().attr(COUNT).get();
    }
    if (n.incrementAndGet() >= MAX) {
      ctx.channel().config().setAutoRead(false);
    }
    ctx.fireChannelRead(msg);
  }

  /** Called by the session after it handled a frame. */
  static void done(Channel ch) {
    AtomicInteger n = ch.attr(COUNT).get();
    if (n != null && n.decrementAndGet() < MAX && !ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
  }
}
