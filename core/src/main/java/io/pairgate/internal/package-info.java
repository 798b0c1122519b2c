/** Implementation details. Not an API: anything here may change in any release. */
@NullMarked
package io.pairgate.internal;

import org.jspecify.annotations.NullMarked;
