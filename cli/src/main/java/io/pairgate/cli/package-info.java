/**
 * The {@code pairgate} command-line tool: operates a store (list, approve, reject, rotate,
 * revoke, block, explain), checks and repairs it ({@code store}, {@code doctor}), runs the demo,
 * the testkit's scenario vectors and convergence simulations. {@link io.pairgate.cli.Main} is the
 * entry point; the commands and their output formats are documented in {@code docs/cli.md}.
 */
@NullMarked
package io.pairgate.cli;

import org.jspecify.annotations.NullMarked;
