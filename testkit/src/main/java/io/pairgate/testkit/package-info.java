/**
 * Pairgate's testkit, for the test scope of gateways, store implementations and other-language
 * ports. It depends only on {@code pairgate-core} and the stable {@code org.junit.jupiter.api}
 * types, so it runs on JUnit Jupiter 5 and 6.
 *
 * <ul>
 *   <li>{@link io.pairgate.testkit.PairingStoreContract}: the store conformance suite, implemented
 *       by a store's test class; {@link io.pairgate.testkit.SampleRecords} builds realistic records.
 *   <li>{@link io.pairgate.testkit.Property}, {@link io.pairgate.testkit.Gen} and
 *       {@link io.pairgate.testkit.PairingGens}: a small deterministic property runner with
 *       shrinking and seed replay ({@code -Dpairgate.seed}, {@code -Dpairgate.cases}).
 *   <li>{@link io.pairgate.testkit.ModelBasedTests}: random {@link io.pairgate.testkit.Action}
 *       sequences against a service and a reference model in lockstep.
 *   <li>{@link io.pairgate.testkit.ConvergenceChecker}: the scope-upgrade-loop properties P1–P7
 *       with a deterministic trace hash and shrunk counterexamples
 *       ({@link io.pairgate.testkit.ConvergenceReport}).
 *   <li>{@link io.pairgate.testkit.ScenarioRunner}: language-neutral JSON scenario vectors
 *       ({@code docs/scenarios.md}), with the bundled vectors on the classpath.
 *   <li>{@link io.pairgate.testkit.SeededRandomSource}: deterministic randomness for services
 *       under test; its controllable clock is core's {@link io.pairgate.VirtualClock}.
 * </ul>
 */
@NullMarked
package io.pairgate.testkit;

import org.jspecify.annotations.NullMarked;
