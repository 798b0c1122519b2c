package io.pairgate.gateway;

import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.internal.Wire;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code connect} request frame a Java client sends a gateway (OpenClaw protocol 4), as the
 * OpenClaw CLI sends it: for load tools, tests and small clients that hold a signed
 * {@link ConnectProof}. The gateway accepts nothing else in a {@code connect}; this only saves a
 * client from writing the frame by hand.
 */
public final class ConnectFrame {
  private ConnectFrame() {}

  /**
   * The frame {@code {"type":"req","id":requestId,"method":"connect","params":{…}}} carrying
   * {@code proof}: its client details (id, platform, mode, device family and display name when
   * set, with {@code clientVersion} and a fresh {@code instanceId}), no capabilities, its token
   * as {@code auth.token} (no {@code auth} when it has none), its role and scopes in the signed
   * order, and its device id, public key, signature, signing time and nonce.
   *
   * @param requestId the frame's {@code id}, echoed in the response
   * @param proof the signed connect proof
   * @param clientVersion the {@code client.version} reported, e.g. {@code "2026.6.10"}
   * @return the frame as JSON text
   */
  public static String request(String requestId, ConnectProof proof, String clientVersion) {
    ObjectNode req = Wire.object();
    req.put("type", "req");
    req.put("id", requestId);
    req.put("method", "connect");
    ObjectNode p = req.putObject("params");
    p.put("minProtocol", 4);
    p.put("maxProtocol", 4);
    ObjectNode c = p.putObject("client");
    c.put("id", proof.client().clientId());
    c.put("version", clientVersion);
    c.put("platform", proof.client().platform());
    c.put("mode", proof.client().clientMode());
    if (!proof.client().deviceFamily().isEmpty()) {
      c.put("deviceFamily", proof.client().deviceFamily()); // signed in a v3 payload
    }
    if (!proof.client().displayName().isEmpty()) {
      c.put("displayName", proof.client().displayName());
    }
    c.put("instanceId", UUID.randomUUID().toString());
    p.putArray("caps");
    if (!proof.token().isEmpty()) {
      p.putObject("auth").put("token", proof.token());
    }
    p.put("role", proof.role().name());
    proof.scopes().forEach(p.putArray("scopes")::add);
    ObjectNode d = p.putObject("device");
    d.put("id", proof.deviceId());
    d.put("publicKey", proof.publicKey());
    d.put("signature", proof.signature());
    d.put("signedAt", proof.signedAtMs());
    d.put("nonce", proof.nonce());
    return Wire.write(req);
  }
}
