/**
 * An OpenClaw-compatible WebSocket gateway on Netty that decides connects with Pairgate, with the
 * operator console. {@code io.pairgate.gateway.internal} is not exported.
 */
module io.pairgate.gateway {
  requires transitive io.pairgate.core;
  requires io.pairgate.store.json;
  requires io.pairgate.store.jdbc;
  requires io.netty.common;
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.handler;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires tools.jackson.core;
  requires tools.jackson.databind;
  requires org.slf4j;

  exports io.pairgate.gateway;
}
