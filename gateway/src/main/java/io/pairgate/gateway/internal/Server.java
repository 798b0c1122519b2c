package io.pairgate.gateway.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The Netty server: HTTP upgrade on {@code /}, WebSocket frames, one {@link Session} each. */
public final class Server implements AutoCloseable {
  static final int LOW_WATER_MARK = 32 * 1024;
  static final int HIGH_WATER_MARK = 256 * 1024;

  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final EventExecutorGroup work;
  private final Channel channel;
  private final ScheduledFuture<?> ticks;
  private final Hub hub;
  private final ChannelGroup all;

  private Server(EventLoopGroup boss, EventLoopGroup io, EventExecutorGroup work, Channel channel,
      ScheduledFuture<?> ticks, Hub hub, ChannelGroup all) {
    this.all = all;
    this.boss = boss;
    this.io = io;
    this.work = work;
    this.channel = channel;
    this.ticks = ticks;
    this.hub = hub;
  }

  /** A work group for sessions and store work: blocking calls run here, never on I/O threads. */
  public static EventExecutorGroup newWorkGroup(int threads) {
    return new DefaultEventExecutorGroup(threads,
        new io.netty.util.concurrent.DefaultThreadFactory("pairgate-gateway-work", true));
  }

  /**
   * Binds and starts serving.
   *
   * @throws java.io.UncheckedIOException if the address cannot be bound
   */
  public static Server start(Hub hub, EventExecutorGroup work, String host, int port) {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
        new io.netty.util.concurrent.DefaultThreadFactory("pairgate-gateway-accept", true),
        NioIoHandler.newFactory());
    EventLoopGroup io = new MultiThreadIoEventLoopGroup(0,
        new io.netty.util.concurrent.DefaultThreadFactory("pairgate-gateway-io", true),
        NioIoHandler.newFactory());
    int max = hub.settings.maxFrameBytes();
    long connectMs = hub.settings.connectTimeout().toMillis();
    WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath("/")
        .checkStartsWith(false)
        .handshakeTimeoutMillis(connectMs)
        .allowExtensions(false)
        .dropPongFrames(true)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(max)
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .withUTF8Validator(true)
            .build())
        .build();
    ChannelGroup all = new DefaultChannelGroup("pairgate-gateway", GlobalEventExecutor.INSTANCE);
    Channel ch;
    try {
      ch = new ServerBootstrap()
          .group(boss, io)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
              new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              all.add(c);
              c.pipeline()
                  .addLast(new ReadTimeoutHandler(connectMs, TimeUnit.MILLISECONDS))
                  .addLast(new HttpServerCodec(4096, 16 * 1024, 8192))
                  .addLast(new HttpObjectAggregator(8192))
                  .addLast(new UpgradeGate(hub))
                  .addLast(new WebSocketServerProtocolHandler(ws))
                  .addLast(new WebSocketFrameAggregator(max))
                  .addLast(new Inflight())
                  .addLast(work, "session", new Session(hub));
            }
          })
          .bind(host, port).syncUninterruptibly().channel();
    } catch (Exception e) { // Netty rethrows the BindException unchecked
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new java.io.UncheckedIOException("cannot listen on " + host + ":" + port + ": "
          + e.getMessage(), new java.io.IOException(e.getMessage(), e));
    }
    long tickMs = hub.settings.tickInterval().toMillis();
    ScheduledFuture<?> ticks =
        io.next().scheduleAtFixedRate(hub::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    return new Server(boss, io, work, ch, ticks, hub, all);
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Stops accepting, closes live connections with 1012 "service restart", lets the work group
   * finish what it is doing (in-flight store writes), then stops the I/O threads.
   */
  @Override
  public void close() {
    ticks.cancel(false);
    channel.close().syncUninterruptibly();
    hub.closeAll(1012, "service restart");
    // connections still in their handshake, and sessions that did not close within 2 s
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (hub.openCount() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    all.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    work.shutdownGracefully(100, 10_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(15,
        TimeUnit.SECONDS);
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
