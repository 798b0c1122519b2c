package io.pairgate.gateway.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.TokenHash;
import io.pairgate.StoreException;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.Locality;
import io.pairgate.spi.DeviceRecord;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One WebSocket connection: challenge, connect, then RPCs. Runs on one executor of the gateway's
 * work group (so its callbacks never run concurrently and may block on the store).
 */
public final class Session extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.gateway");
  static final int PROTOCOL = 4;
  private static final Set<String> CONNECT_KEYS = Set.of("minProtocol", "maxProtocol", "client",
      "caps", "commands", "permissions", "pathEnv", "role", "scopes", "device", "auth", "locale",
      "userAgent");
  private static final Set<String> CLIENT_KEYS = Set.of("id", "displayName", "version",
      "platform", "deviceFamily", "modelIdentifier", "mode", "instanceId");
  private static final Set<String> DEVICE_KEYS =
      Set.of("id", "publicKey", "signature", "signedAt", "nonce");
  private static final Set<String> AUTH_KEYS =
      Set.of("token", "deviceToken", "password", "bootstrapToken");
  private static final int MAX_SCOPES = 64;
  /** Headers handed to core's address and locality code. */
  private static final List<String> LOCALITY_HEADERS = List.of("host", "origin",
      "x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host", "x-forwarded-proto");

  private enum State { OPENING, AWAIT_CONNECT, CONNECTED, CLOSED }

  private final Hub hub;
  private final Rpc rpc;
  private @Nullable ChannelHandlerContext ctx;
  private State state = State.OPENING;
  private @Nullable Challenge challenge;
  private @Nullable ScheduledFuture<?> connectTimeout;
  private String peer = "";
  private Map<String, String> headers = Map.of();
  private final String connId = UUID.randomUUID().toString();

  // set by a successful connect
  private volatile @Nullable String deviceId;
  private volatile @Nullable Role role;
  private volatile ScopeSet scopes = ScopeSet.empty();
  private volatile @Nullable DevicePublicKey key;
  private volatile @Nullable TokenHash tokenHash;
  private volatile boolean pairingEvents;
  private volatile boolean followAudit;
  private String approverName = "";
  /** A browser page whose device was approved silently: never an approver (issue #15 item 3). */
  private boolean silentBrowser;

  /** A session for one new channel. */
  public Session(Hub hub) {
    this.hub = hub;
    this.rpc = new Rpc(hub, this);
  }

  @Nullable String deviceId() {
    return deviceId;
  }

  @Nullable Role role() {
    return role;
  }

  ScopeSet scopes() {
    return scopes;
  }

  String approverName() {
    return approverName;
  }

  /**
   * Whether this connection carries a browser {@code Origin} and its device was approved only
   * silently: such a session may not approve requests (a page must not bootstrap authority).
   */
  boolean silentBrowser() {
    return silentBrowser;
  }

  boolean receivesPairingEvents() {
    return pairingEvents;
  }

  /** Whether this connection asked for {@code pairgate.audit} events (and may have them). */
  boolean followsAudit() {
    return followAudit && pairingEvents;
  }

  void followAudit(boolean on) {
    followAudit = on;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
      opened(ctx, hc.requestHeaders());
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  private void opened(ChannelHandlerContext ctx, HttpHeaders h) {
    if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) {
      ctx.pipeline().remove(ReadTimeoutHandler.class);
    }
    peer = peerAddress(ctx.channel().remoteAddress());
    headers = localityHeaders(h);
    try {
      challenge = hub.pairing.issueChallenge();
    } catch (io.pairgate.RetryLaterException e) {
      // too many outstanding challenges: core fails closed; the client may come back later
      close(1013, "try again later");
      return;
    } catch (RuntimeException e) {
      LOG.warn("could not issue a challenge: {}", e.toString());
      close(1011, "internal error");
      return;
    }
    state = State.AWAIT_CONNECT;
    hub.opened(this);
    ObjectNode p = Wire.object();
    p.put("nonce", challenge.nonce());
    p.put("ts", challenge.issuedAt().toEpochMilli());
    send(Wire.event("connect.challenge", p, 0));
    connectTimeout = ctx.executor().schedule(() -> {
      if (state == State.AWAIT_CONNECT) {
        close(1000, "connect timeout");
      }
    }, hub.settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  static String peerAddress(@Nullable SocketAddress a) {
    if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
      return isa.getAddress().getHostAddress();
    }
    return "";
  }

  static Map<String, String> localityHeaders(HttpHeaders h) {
    Map<String, String> m = new HashMap<>();
    for (String name : LOCALITY_HEADERS) {
      List<String> all = h.getAll(name);
      if (!all.isEmpty()) {
        m.put(name, String.join(", ", all));
      }
    }
    return m;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      Inflight.done(ctx.channel());
      if (state == State.CLOSED || state == State.OPENING) {
        return;
      }
      if (msg instanceof TextWebSocketFrame t) {
        onText(t.text());
      } else if (msg instanceof BinaryWebSocketFrame) {
        close(1003, "binary frames are not supported");
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (connectTimeout != null) {
      connectTimeout.cancel(false);
    }
    hub.unregister(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      close(1009, "message too big");
    } else {
      LOG.debug("connection {} failed: {}", connId, cause.toString());
      ctx.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void onText(String text) {
    JsonNode node;
    try {
      node = Wire.JSON.readTree(text);
    } catch (JacksonException e) {
      // nothing was decided or stored: the frame never reached the service
      close(1007, "malformed JSON: " + firstLine(e.getOriginalMessage()));
      return;
    }
    JsonNode idNode = node instanceof ObjectNode o1 ? o1.get("id") : null;
    JsonNode mNode = node instanceof ObjectNode o2 ? o2.get("method") : null;
    if (!(node instanceof ObjectNode frame) || !"req".equals(text(frame, "type"))
        || idNode == null || !idNode.isString() || mNode == null || !mNode.isString()) {
      String id = node instanceof ObjectNode o && o.get("id") != null && o.get("id").isString()
          ? o.get("id").asString() : "";
      send(Wire.error(id, "INVALID_REQUEST",
          "invalid request frame: expected {type:\"req\", id, method, params}", null));
      if (state == State.AWAIT_CONNECT) {
        close(1008, "invalid request frame");
      }
      return;
    }
    String id = idNode.asString();
    String method = mNode.asString();
    JsonNode params = frame.get("params");
    if (state == State.AWAIT_CONNECT) {
      if (!method.equals("connect")) {
        send(Wire.error(id, "INVALID_REQUEST",
            "invalid handshake: first request must be connect", null));
        close(1008, "invalid handshake");
        return;
      }
      connect(id, params);
      return;
    }
    if (method.equals("connect")) {
      send(Wire.error(id, "INVALID_REQUEST", "already connected", null));
      return;
    }
    rpc.dispatch(id, method, params);
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 80 ? line.substring(0, 80) : line;
  }

  static @Nullable String text(ObjectNode o, String name) {
    JsonNode n = o.get(name);
    return n != null && n.isString() ? n.asString() : null;
  }

  // ---------------------------------------------------------------------------------------------
  // connect

  /** A connect that fails validation: error frame, then close. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;
    final @Nullable ObjectNode details;
    final int closeCode;
    final String closeReason;

    Refusal(String code, String message, @Nullable ObjectNode details, int closeCode,
        String closeReason) {
      super(message, null, false, false);
      this.code = code;
      this.details = details;
      this.closeCode = closeCode;
      this.closeReason = closeReason;
    }
  }

  private static Refusal invalidParams(String where, String what) {
    String m = "invalid connect params: at " + where + ": " + what;
    return new Refusal("INVALID_REQUEST", m, null, 1008, m);
  }

  private static ObjectNode details(String code) {
    ObjectNode d = Wire.object();
    d.put("code", code);
    return d;
  }

  private void connect(String id, @Nullable JsonNode paramsNode) {
    if (connectTimeout != null) {
      connectTimeout.cancel(false);
    }
    try {
      doConnect(id, paramsNode);
    } catch (Refusal r) {
      send(Wire.error(id, r.code, r.getMessage(), r.details));
      close(r.closeCode, r.closeReason);
    } catch (StoreException e) {
      LOG.warn("store failure during connect: {}", e.getMessage());
      ObjectNode d = details("STORE_UNAVAILABLE");
      d.put("retryable", e.retryable());
      if (e.retryable()) {
        d.put("retryAfterMs", 1000);
      }
      ObjectNode res = Wire.error(id, "UNAVAILABLE", "pairing store unavailable", d);
      ((ObjectNode) res.get("error")).put("retryable", e.retryable());
      if (e.retryable()) {
        ((ObjectNode) res.get("error")).put("retryAfterMs", 1000);
      }
      send(res);
      close(1013, "try again later");
    }
  }

  private void doConnect(String id, @Nullable JsonNode paramsNode) throws Refusal {
    // a browser page of another origin never gets a session, whatever it presents; nothing is
    // asked of the service, so nothing is stored
    java.util.Optional<String> foreign =
        Origins.refusal(headers, hub.settings.allowedOrigins(),
            hub.settings.gatewayHosts());
    if (foreign.isPresent()) {
      LOG.info("connect refused from {}: {}", peer, foreign.get());
      throw new Refusal("INVALID_REQUEST", foreign.get(), details("ORIGIN_NOT_ALLOWED"), 1008,
          "origin not allowed");
    }
    if (!(paramsNode instanceof ObjectNode params)) {
      throw invalidParams("root", "params must be an object");
    }
    for (String k : params.propertyNames()) {
      if (!CONNECT_KEYS.contains(k)) {
        throw invalidParams("root", "unexpected property '" + cut(k, 40) + "'");
      }
    }
    int min = requiredInt(params, "minProtocol");
    int max = requiredInt(params, "maxProtocol");
    ObjectNode client = object(params, "client", true, CLIENT_KEYS);
    String clientId = string(client, "client", "id", true);
    String mode = string(client, "client", "mode", true);
    String version = string(client, "client", "version", false);
    String platform = string(client, "client", "platform", false);
    String family = string(client, "client", "deviceFamily", false);
    String displayName = string(client, "client", "displayName", false);
    string(client, "client", "instanceId", false);
    string(client, "client", "modelIdentifier", false);
    stringArray(params, "caps", 64);
    stringArray(params, "commands", 256);
    if (params.has("permissions") && !params.get("permissions").isObject()) {
      throw invalidParams("/permissions", "must be object");
    }
    string(params, "", "pathEnv", false);
    string(params, "", "locale", false);
    string(params, "", "userAgent", false);
    String roleName = params.has("role") ? string(params, "", "role", true) : "operator";
    List<String> requestedScopes = stringArray(params, "scopes", MAX_SCOPES);
    ObjectNode device = object(params, "device", false, DEVICE_KEYS);
    ObjectNode auth = object(params, "auth", false, AUTH_KEYS);
    if (min > PROTOCOL || max < PROTOCOL) {
      ObjectNode d = details("PROTOCOL_MISMATCH");
      d.put("clientMinProtocol", min);
      d.put("clientMaxProtocol", max);
      d.put("expectedProtocol", PROTOCOL);
      d.put("minimumProbeProtocol", PROTOCOL);
      throw new Refusal("INVALID_REQUEST", "protocol mismatch", d, 1002, "protocol mismatch");
    }
    Role requestedRole;
    try {
      requestedRole = Role.of(roleName);
    } catch (PairgateException e) {
      throw invalidParams("/role", "invalid role");
    }
    ClientInfo info = new ClientInfo(clientId, mode, platform, family, displayName, version);

    String token = auth == null ? "" : string(auth, "auth", "token", false);
    String deviceToken = auth == null ? "" : string(auth, "auth", "deviceToken", false);
    if (auth != null && (auth.has("password") || auth.has("bootstrapToken"))) {
      throw new Refusal("INVALID_REQUEST",
          "unauthorized: only shared-token and device-token auth are configured",
          details("AUTH_METHOD_UNSUPPORTED"), 1008, "unauthorized");
    }
    String shared = hub.settings.sharedToken();
    AuthMethod method;
    String signedToken;
    boolean sharedOk = shared != null && !token.isEmpty() && constantTimeEquals(token, shared);
    if (sharedOk) {
      method = AuthMethod.SHARED_TOKEN;
      signedToken = token;
    } else if (device != null && (!token.isEmpty() || !deviceToken.isEmpty())) {
      if (!token.isEmpty() && !deviceToken.isEmpty() && !token.equals(deviceToken)) {
        throw new Refusal("INVALID_REQUEST", "unauthorized: device token mismatch",
            authDetails("AUTH_DEVICE_TOKEN_MISMATCH"), 1008, "unauthorized");
      }
      method = AuthMethod.DEVICE_TOKEN;
      signedToken = token.isEmpty() ? deviceToken : token;
    } else if (shared != null) {
      boolean missing = token.isEmpty();
      throw new Refusal("INVALID_REQUEST", missing
          ? "unauthorized: gateway token missing (provide the gateway's shared token)"
          : "unauthorized: gateway token mismatch",
          authDetails(missing ? "AUTH_TOKEN_MISSING" : "AUTH_TOKEN_MISMATCH"), 1008,
          "unauthorized");
    } else {
      method = AuthMethod.NONE;
      signedToken = token;
    }

    if (device == null) {
      deviceLess(id, method, requestedRole, requestedScopes, info);
      return;
    }
    String devId = string(device, "device", "id", true);
    String publicKey = string(device, "device", "publicKey", true);
    String signature = string(device, "device", "signature", true);
    String nonce = string(device, "device", "nonce", true);
    JsonNode signedAtNode = device.get("signedAt");
    if (signedAtNode == null || !signedAtNode.isIntegralNumber() || !signedAtNode.canConvertToLong()) {
      throw invalidParams("/device/signedAt", "must be integer");
    }
    Challenge ch = java.util.Objects.requireNonNull(challenge);
    ConnectAttempt attempt = ConnectAttempt.builder()
        .device(devId, publicKey)
        .role(requestedRole)
        .scopes(requestedScopes)
        .client(info)
        .proof(signature, signedAtNode.asLong(), nonce)
        .challenge(ch)
        .auth(method, signedToken)
        .peerAddress(peer)
        .headers(headers)
        .build();
    ConnectResult result = hub.pairing.connect(attempt);
    if (result instanceof ConnectResult.Allowed a) {
      allowed(id, a, method, publicKey);
    } else if (result instanceof ConnectResult.PairingRequired p) {
      throw new Refusal("NOT_PAIRED", p.message(), pairingDetails(p), p.closeCode(),
          p.closeReason());
    } else {
      ConnectResult.Rejected r = (ConnectResult.Rejected) result;
      throw new Refusal("INVALID_REQUEST", rejectedMessage(r), rejectedDetails(r),
          r.closeCode(), r.closeReason());
    }
  }

  private static ObjectNode authDetails(String code) {
    ObjectNode d = details(code);
    d.put("canRetryWithDeviceToken", false);
    return d;
  }

  /**
   * A connect without a device block. Allowed only with the gateway's shared token, directly
   * (no proxy, no forwarded headers, no browser Origin) from a local address as core classifies
   * it, for role operator, with the requested scopes capped by the shared-token ceiling
   * (never operator.admin). See docs/gateway.md, "Device-less shared-token connects".
   */
  private void deviceLess(String id, AuthMethod method, Role requestedRole, List<String> requested,
      ClientInfo info) throws Refusal {
    String why = null;
    ClientAddress address = ClientAddress.resolve(peer, headers, hub.settings.trustedProxies(),
        hub.settings.allowRealIpFallback());
    if (method != AuthMethod.SHARED_TOKEN) {
      why = "device identity required";
    } else if (address.source() != ClientAddress.Source.PEER || address.proxyHeaders()) {
      why = "device identity required: a forwarded connection must sign with a device key";
    } else if (headers.containsKey("origin")) {
      why = "device identity required: a browser connection must sign with a device key";
    } else {
      // no bridge ranges: a device-less connect must come from this host itself
      Locality.Classification loc =
          Locality.classify(address, headers, AuthMethod.SHARED_TOKEN, List.of());
      if (loc.locality() != Locality.DIRECT_LOCAL
          && loc.locality() != Locality.SHARED_SECRET_LOOPBACK_LOCAL) {
        why = "device identity required: only a local connection may use the shared token"
            + " without a device key";
      } else if (!requestedRole.equals(Role.OPERATOR)) {
        why = "device identity required for role " + requestedRole;
      }
    }
    if (why != null) {
      throw new Refusal("NOT_PAIRED", why, details("DEVICE_IDENTITY_REQUIRED"), 1008,
          cut(why, 120));
    }
    ScopeSet asked;
    try {
      asked = ScopeSet.parse(requested);
    } catch (PairgateException e) {
      throw invalidParams("/scopes", "invalid scope");
    }
    ScopeSet ceiling = hub.settings.sharedTokenOperatorScopes();
    ScopeSet granted = asked.filter(
        s -> hub.pairing.scopePolicy().implies(Role.OPERATOR, s, ceiling));
    role = Role.OPERATOR;
    scopes = granted;
    approverName = "shared-token@" + address.address();
    pairingEvents = hub.pairing.scopePolicy().implies(Role.OPERATOR, Scope.OPERATOR_PAIRING,
        granted);
    LOG.info("device-less shared-token operator connected from {} ({} {}), scopes {}"
        + " (asked {})", address.address(), info.clientId(), info.clientMode(), granted.names(),
        asked.names());
    ObjectNode authNode = Wire.object();
    authNode.put("role", "operator");
    authNode.set("scopes", Wire.scopes(granted));
    authNode.put("method", "token");
    hello(id, authNode);
  }

  private void allowed(String id, ConnectResult.Allowed a, AuthMethod method, String publicKey) {
    DeviceToken t = a.token();
    deviceId = a.deviceId();
    role = a.role();
    scopes = a.scopes();
    key = DevicePublicKey.parse(publicKey);
    tokenHash = t.hash();
    approverName = a.deviceId();
    if (headers.containsKey("origin")) {
      silentBrowser = hub.pairing.device(io.pairgate.DeviceId.parse(a.deviceId()))
          .map(d -> !"operator".equals(d.approvedVia()) && !"standing".equals(d.approvedVia()))
          .orElse(true);
    }
    pairingEvents = a.role().equals(Role.OPERATOR) && hub.pairing.scopePolicy()
        .implies(Role.OPERATOR, Scope.OPERATOR_PAIRING, a.scopes());
    ObjectNode authNode = Wire.object();
    authNode.put("role", a.role().name());
    authNode.set("scopes", Wire.scopes(
        hub.settings.helloScopes() == io.pairgate.gateway.HelloScopes.TOKEN ? t.scopes()
            : a.scopes()));
    authNode.put("method", method == AuthMethod.DEVICE_TOKEN ? "device-token"
        : method == AuthMethod.SHARED_TOKEN ? "token" : "none");
    // Pairgate keeps only the hash: the secret goes out only when this connect minted it
    a.secret().ifPresent(secret -> authNode.put("deviceToken", secret.value()));
    java.time.Instant issued = t.rotatedAt() != null ? t.rotatedAt() : t.createdAt();
    authNode.put("issuedAtMs", issued.toEpochMilli());
    hello(id, authNode);
  }

  private void hello(String id, ObjectNode authNode) {
    ObjectNode p = Wire.object();
    p.put("type", "hello-ok");
    p.put("protocol", PROTOCOL);
    ObjectNode server = p.putObject("server");
    server.put("version", hub.settings.serverVersion());
    server.put("connId", connId);
    ObjectNode features = p.putObject("features");
    features.set("methods", Wire.strings(Rpc.METHODS));
    features.set("events", Wire.strings(List.of("connect.challenge", "tick",
        "device.pair.requested", "device.pair.resolved")));
    ObjectNode snapshot = p.putObject("snapshot");
    snapshot.putArray("presence");
    snapshot.putObject("health");
    ObjectNode sv = snapshot.putObject("stateVersion");
    sv.put("presence", 0);
    sv.put("health", 0);
    snapshot.put("uptimeMs", hub.uptimeMs());
    p.set("auth", authNode);
    ObjectNode policy = p.putObject("policy");
    policy.put("maxPayload", hub.settings.maxFrameBytes());
    policy.put("maxBufferedBytes", Server.HIGH_WATER_MARK);
    policy.put("tickIntervalMs", hub.settings.tickInterval().toMillis());
    state = State.CONNECTED;
    send(Wire.ok(id, p));
    hub.register(this);
  }

  private static ObjectNode pairingDetails(ConnectResult.PairingRequired p) {
    ObjectNode d = details(p.code());
    d.put("reason", p.reason().wireName());
    d.put("requestId", p.requestId().value());
    d.put("remediationHint", p.remediationHint());
    d.put("deviceId", p.deviceId());
    d.put("requestedRole", p.requestedRole().name());
    d.set("requestedScopes", Wire.scopes(p.requestedScopes()));
    if (p.approvedScopes() != null) {
      d.set("approvedRoles", Wire.roles(p.approvedRoles()));
      d.set("approvedScopes", Wire.scopes(p.approvedScopes()));
    }
    ArrayNode missing = d.putArray("missingScopes");
    p.missingScopes().forEach(s -> missing.add(s.toString()));
    d.put("recommendedNextStep", "wait_then_retry");
    d.put("retryAfterMs", p.retryAfter().toMillis());
    return d;
  }

  private static String rejectedMessage(ConnectResult.Rejected r) {
    switch (r.code()) {
      case TOKEN_MISMATCH:
      case TOKEN_MISSING:
      case UNKNOWN_DEVICE:
      case UNKNOWN_ROLE:
        return "unauthorized: device token mismatch (" + r.message() + ")";
      case TOKEN_REVOKED:
        return "unauthorized: device token revoked";
      case TOKEN_SCOPE_MISMATCH:
        return "unauthorized: device token scope mismatch (re-pair or approve scope upgrade)";
      default:
        return r.message();
    }
  }

  private static ObjectNode rejectedDetails(ConnectResult.Rejected r) {
    String code;
    switch (r.code()) {
      case TOKEN_MISMATCH:
      case TOKEN_MISSING:
      case UNKNOWN_DEVICE:
      case UNKNOWN_ROLE:
      case TOKEN_REVOKED:
        code = "AUTH_DEVICE_TOKEN_MISMATCH";
        break;
      case TOKEN_SCOPE_MISMATCH:
        code = "AUTH_SCOPE_MISMATCH";
        break;
      case DEVICE_ID_MISMATCH:
      case SIGNATURE_EXPIRED:
      case NONCE_REQUIRED:
      case NONCE_MISMATCH:
      case SIGNATURE_INVALID:
      case PUBLIC_KEY_INVALID:
        code = "DEVICE_AUTH_" + r.code().name();
        break;
      default:
        code = r.code().name();
    }
    ObjectNode d = details(code);
    d.put("reason", r.code().wireName());
    if (code.startsWith("AUTH_")) {
      d.put("canRetryWithDeviceToken", false);
    }
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // param helpers

  private static int requiredInt(ObjectNode o, String name) throws Refusal {
    JsonNode n = o.get(name);
    if (n == null) {
      throw invalidParams("root", "must have required property '" + name + "'");
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw invalidParams("/" + name, "must be integer");
    }
    return n.asInt();
  }

  private static @Nullable ObjectNode object(ObjectNode o, String name, boolean required,
      Set<String> allowed) throws Refusal {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      if (required) {
        throw invalidParams("root", "must have required property '" + name + "'");
      }
      return null;
    }
    if (!(n instanceof ObjectNode obj)) {
      throw invalidParams("/" + name, "must be object");
    }
    for (String k : obj.propertyNames()) {
      if (!allowed.contains(k)) {
        throw invalidParams("/" + name, "unexpected property '" + cut(k, 40) + "'");
      }
    }
    return obj;
  }

  private static String string(@Nullable ObjectNode o, String parent, String name,
      boolean required) throws Refusal {
    String where = parent.isEmpty() ? "/" + name : "/" + parent + "/" + name;
    JsonNode n = o == null ? null : o.get(name);
    if (n == null || n.isNull()) {
      if (required) {
        throw invalidParams(parent.isEmpty() ? "root" : "/" + parent,
            "must have required property '" + name + "'");
      }
      return "";
    }
    if (!n.isString()) {
      throw invalidParams(where, "must be string");
    }
    String s = n.asString();
    if (s.length() > 4096) {
      throw invalidParams(where, "must be at most 4096 characters");
    }
    return s;
  }

  private static List<String> stringArray(ObjectNode o, String name, int maxItems)
      throws Refusal {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw invalidParams("/" + name, "must be array");
    }
    if (n.size() > maxItems) {
      throw invalidParams("/" + name, "must have at most " + maxItems + " items");
    }
    List<String> out = new ArrayList<>(n.size());
    for (Iterator<JsonNode> it = n.iterator(); it.hasNext(); ) {
      JsonNode e = it.next();
      if (!e.isString() || e.asString().length() > 256) {
        throw invalidParams("/" + name, "items must be strings of at most 256 characters");
      }
      out.add(e.asString());
    }
    return out;
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------------------------
  // live-connection checks and output

  /**
   * Why this connection may no longer stay open given the device's current record, or null if it
   * may.
   */
  @Nullable String invalidatedBy(@Nullable DeviceRecord rec) {
    Role r = role;
    TokenHash held = tokenHash;
    if (deviceId == null || r == null || held == null) {
      return null;
    }
    if (rec == null) {
      return "device removed";
    }
    if (rec.blocked()) {
      return "device blocked";
    }
    if (rec.paired() == null || !rec.paired().publicKey().equals(key)) {
      return "device removed";
    }
    DeviceToken t = rec.paired().token(r);
    if (t == null || t.isRevoked()) {
      return "device token revoked";
    }
    if (!held.equals(t.hash())) {
      return "device token rotated";
    }
    return null;
  }

  void send(ObjectNode frame) {
    ChannelHandlerContext c = ctx;
    if (c != null && c.channel().isActive()) {
      c.writeAndFlush(new TextWebSocketFrame(Wire.write(frame)));
    }
  }

  /** Sends an event unless the client is not reading (events are dropped for slow clients). */
  void sendEvent(String name, ObjectNode payload) {
    ChannelHandlerContext c = ctx;
    if (c != null && c.channel().isActive() && c.channel().isWritable()) {
      c.writeAndFlush(new TextWebSocketFrame(
          Wire.write(Wire.event(name, payload, hub.nextSeq()))));
    }
  }

  /**
   * Closes after the replies already written on this connection: runs on this connection's
   * executor, so a reply being produced right now goes out first.
   */
  void closeAfterPendingReplies(int code, String reason) {
    ChannelHandlerContext c = ctx;
    if (c != null) {
      c.executor().execute(() -> close(code, reason));
    }
  }

  void close(int code, String reason) {
    ChannelHandlerContext c = ctx;
    if (state == State.CLOSED || c == null) {
      return;
    }
    state = State.CLOSED;
    hub.unregister(this);
    // counted as open until the close frame is out, so a shutdown waiting for open sockets does
    // not tear the connection down before the frame is written
    hub.opened(this);
    c.writeAndFlush(new CloseWebSocketFrame(code, ConnectResult.wireSafeCloseReason(reason))).addListener(f -> {
      hub.unregister(this);
      c.close();
    });
  }

  @Override
  public String toString() {
    return "Session[" + connId + ", device=" + deviceId + ", role=" + role + ", scopes="
        + scopes + ", peer=" + peer + ", state=" + state.name().toLowerCase(Locale.ROOT) + "]";
  }
}
