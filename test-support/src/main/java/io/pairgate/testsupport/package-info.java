/**
 * Test helpers shared by the test trees of Pairgate's modules; not published, test scope only.
 */
package io.pairgate.testsupport;
