/**
 * A reference WebSocket gateway on Pairgate: OpenClaw's gateway protocol (challenge, signed
 * {@code connect}, {@code hello-ok}, the device pairing RPCs and events) served by Netty, with every
 * decision made by a {@link io.pairgate.PairingService}. Start one with
 * {@link io.pairgate.gateway.PairgateGateway#start}, or from the command line with
 * {@link io.pairgate.gateway.GatewayMain} ({@code pairgate gateway}). See {@code docs/gateway.md}.
 */
@NullMarked
package io.pairgate.gateway;

import org.jspecify.annotations.NullMarked;
