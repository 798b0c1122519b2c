/**
 * Implementation details. Not an API: anything here may change in any release. Each type says
 * what it owns; docs/architecture.md draws how they fit together.
 */
@NullMarked
package io.pairgate.internal;

import org.jspecify.annotations.NullMarked;
