-- Pairgate JDBC store, schema version 1 (SQLite 3.35+).
-- Applied by JdbcPairingStore's built-in migrator, or by Flyway/Liquibase from
-- classpath:schema/sqlite. Times are INTEGER (64-bit) epoch milliseconds.

-- One row per device aggregate (io.pairgate.spi.DeviceRecord). record_json holds the whole
-- aggregate; version is the compare-and-set counter; pending_expires_at and pending_address
-- mirror the pending request's expiry (epoch ms, rounded down) and client address (addresses over
-- 200 characters as "sha256:<hex>") for the pending listing and the request flood limits.
CREATE TABLE pairgate_device (
  device_id          TEXT NOT NULL PRIMARY KEY,
  version            INTEGER NOT NULL,
  record_json        TEXT NOT NULL,
  pending_expires_at INTEGER,
  pending_address    TEXT,
  updated_at         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX pairgate_device_pending ON pairgate_device (pending_expires_at, pending_address)
  WHERE pending_expires_at IS NOT NULL;

-- Every request id a device record holds (its pending id and its remembered, resolved ids).
CREATE TABLE pairgate_request (
  request_id TEXT NOT NULL PRIMARY KEY,
  device_id  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX pairgate_request_device ON pairgate_request (device_id);

-- Best-effort access times (PairingStore.touch), kept out of the versioned row.
CREATE TABLE pairgate_touch (
  device_id TEXT NOT NULL,
  role_name TEXT NOT NULL,
  at_ms     INTEGER NOT NULL,
  at_nanos  INTEGER NOT NULL,
  PRIMARY KEY (device_id, role_name)
) WITHOUT ROWID;
