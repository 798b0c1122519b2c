/** The gateway's implementation: Netty pipeline, frame codec, RPC dispatch. Not an API. */
@NullMarked
package io.pairgate.gateway.internal;

import org.jspecify.annotations.NullMarked;
