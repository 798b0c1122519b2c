/**
 * Pairgate's JMH benchmarks. Every benchmark is paired with a building-block limit measured in the
 * same run (a bare Bouncy Castle verify, a bare map lookup, one durable file write, one committed
 * database update), and {@code bench/report.py} turns the JMH JSON into ratios. See
 * {@code docs/performance.md}.
 */
@NullMarked
package io.pairgate.bench;

import org.jspecify.annotations.NullMarked;
