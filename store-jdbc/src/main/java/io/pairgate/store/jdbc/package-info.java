/**
 * A {@link io.pairgate.spi.PairingStore} over any {@link javax.sql.DataSource}: SQLite (the
 * embedded default), H2, PostgreSQL and MariaDB/MySQL. Start at {@link
 * io.pairgate.store.jdbc.JdbcPairingStore}; {@code docs/store-jdbc.md} explains the schema, the
 * durability each database gives, and running several gateway instances on one database.
 */
@NullMarked
package io.pairgate.store.jdbc;

import org.jspecify.annotations.NullMarked;
