package io.pairgate.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * Which WebSocket server the gateway is built on: measures, for Netty 4.2, Jetty 12 (websocket
 * core) and Undertow 2.4, a WebSocket handshake plus one text frame echoed back, each a fresh
 * connection, with the same JDK {@code java.net.http} client, sequentially (latency) and with 16
 * connections in flight (throughput). A timed harness, not a test; results go to docs/gateway.md.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.pairgate.bench.WsServerChoice [seconds]}
 * (default 10 s measurement per server and mode, after 5 s warm-up). The servers are run one after
 * another in one JVM, in the order given by {@code -Dorder=netty,jetty,undertow}, each once.
 */
public final class WsServerChoice {
  private WsServerChoice() {}

  interface EchoServer extends AutoCloseable {
    int port();

    @Override
    void close() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String[] names = System.getProperty("order", "netty,jetty,undertow").split(",");
    System.out.printf(Locale.ROOT,
        "JDK %s, %d cores, load %.1f; %d rounds x %d s per server and mode, interleaved,"
            + " after 5 s warm-up each%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        rounds, seconds);
    EchoServer[] servers = new EchoServer[names.length];
    HttpClient client = HttpClient.newHttpClient();
    long[][] lat = new long[names.length][0];
    double[] seq = new double[names.length];
    double[] con = new double[names.length];
    try {
      for (int i = 0; i < names.length; i++) {
        servers[i] = start(names[i]);
        URI uri = URI.create("ws://127.0.0.1:" + servers[i].port() + "/");
        runSequential(client, uri, 5);
        runConcurrent(client, uri, 16, 5);
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < names.length; i++) {
          URI uri = URI.create("ws://127.0.0.1:" + servers[i].port() + "/");
          long[] l = runSequential(client, uri, seconds);
          seq[i] += l.length / (double) seconds / rounds;
          long[] all = Arrays.copyOf(lat[i], lat[i].length + l.length);
          System.arraycopy(l, 0, all, lat[i].length, l.length);
          lat[i] = all;
          con[i] += runConcurrent(client, uri, 16, seconds) / rounds;
        }
      }
    } finally {
      for (EchoServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
    System.out.println("| server | sequential p50 µs | p99 µs | conn/s sequential | conn/s, 16 in flight |");
    System.out.println("|---|---|---|---|---|");
    for (int i = 0; i < names.length; i++) {
      long[] l = lat[i];
      Arrays.sort(l);
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f |%n", names[i],
          l[l.length / 2] / 1000, l[(int) (l.length * 0.99)] / 1000, seq[i], con[i]);
    }
  }

  static EchoServer start(String name) throws Exception {
    switch (name) {
      case "netty":
        return netty();
      case "jetty":
        return jetty();
      case "undertow":
        return undertow();
      default:
        throw new IllegalArgumentException("unknown server " + name);
    }
  }

  /** One handshake + text frame + echo + close; returns nanoseconds. */
  static long once(HttpClient client, URI uri) throws Exception {
    long t0 = System.nanoTime();
    CompletableFuture<String> echo = new CompletableFuture<>();
    WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
      final StringBuilder sb = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        sb.append(data);
        if (last) {
          echo.complete(sb.toString());
        }
        w.request(1);
        return null;
      }

      @Override
      public void onError(WebSocket w, Throwable error) {
        echo.completeExceptionally(error);
      }
    }).get(10, TimeUnit.SECONDS);
    ws.sendText("{\"type\":\"req\",\"id\":\"1\",\"method\":\"health\"}", true);
    String got = echo.get(10, TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    if (!got.startsWith("{")) {
      throw new IllegalStateException("bad echo " + got);
    }
    ws.abort();
    return t1 - t0;
  }

  static long[] runSequential(HttpClient client, URI uri, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long[] lat = new long[1 << 16];
    int n = 0;
    while (System.nanoTime() < end) {
      if (n == lat.length) {
        lat = Arrays.copyOf(lat, n * 2);
      }
      lat[n++] = once(client, uri);
    }
    return Arrays.copyOf(lat, n);
  }

  static double runConcurrent(HttpClient client, URI uri, int inFlight, int seconds)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(inFlight);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    for (int i = 0; i < inFlight; i++) {
      pool.submit(() -> {
        while (System.nanoTime() < end) {
          once(client, uri);
          done.incrementAndGet();
        }
        return null;
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
    return done.get() / (double) seconds;
  }

  static EchoServer netty() throws InterruptedException {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    Channel ch = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                new WebSocketServerProtocolHandler("/", null, false, 65536),
                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                    ctx.writeAndFlush(new TextWebSocketFrame(f.text()));
                  }
                });
          }
        }).bind("127.0.0.1", 0).sync().channel();
    int port = ((InetSocketAddress) ch.localAddress()).getPort();
    return new EchoServer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() throws Exception {
        ch.close().sync();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    };
  }

  static EchoServer jetty() throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebSocketUpgradeHandler ws = new WebSocketUpgradeHandler();
    ws.addMapping("/", WebSocketNegotiator.from((req, resp, cb) -> new FrameHandler() {
      CoreSession session;

      @Override
      public void onOpen(CoreSession s, Callback cb2) {
        session = s;
        s.setMaxTextMessageSize(65536);
        cb2.succeeded();
        s.demand();
      }

      @Override
      public void onFrame(Frame f, Callback cb2) {
        if (f.getOpCode() == OpCode.TEXT) {
          ByteBuffer copy = ByteBuffer.allocate(f.getPayloadLength());
          copy.put(f.getPayload().slice()).flip();
          session.sendFrame(new Frame(OpCode.TEXT, copy), Callback.NOOP, false);
        }
        cb2.succeeded();
        session.demand();
      }

      @Override
      public void onError(Throwable cause, Callback cb2) {
        cb2.succeeded();
      }

      @Override
      public void onClosed(org.eclipse.jetty.websocket.core.CloseStatus st, Callback cb2) {
        cb2.succeeded();
      }
    }, (handler, req, resp) -> (FrameHandler) handler));
    server.setHandler(ws);
    server.start();
    int port = connector.getLocalPort();
    return new EchoServer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }

  static EchoServer undertow() {
    Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
        .setHandler(Handlers.websocket((exchange, channel) -> {
          channel.getReceiveSetter().set(new AbstractReceiveListener() {
            @Override
            protected void onFullTextMessage(WebSocketChannel c, BufferedTextMessage m) {
              WebSockets.sendText(m.getData(), c, null);
            }
          });
          channel.resumeReceives();
        })).build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    return new EchoServer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }
}
