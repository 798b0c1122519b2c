-- Pairgate JDBC store, schema version 1 (H2 2.x).
-- Applied by JdbcPairingStore's built-in migrator, or by Flyway/Liquibase from
-- classpath:schema/h2. Times are BIGINT epoch milliseconds.

-- One row per device aggregate (io.pairgate.spi.DeviceRecord). record_json holds the whole
-- aggregate; version is the compare-and-set counter; pending_expires_at and pending_address
-- mirror the pending request's expiry (epoch ms, rounded down) and client address (addresses over
-- 200 characters as "sha256:<hex>") for the pending listing and the request flood limits.
CREATE TABLE pairgate_device (
  device_id          VARCHAR(64) NOT NULL PRIMARY KEY,
  version            BIGINT NOT NULL,
  record_json        CHARACTER VARYING NOT NULL,
  pending_expires_at BIGINT,
  pending_address    VARCHAR(255),
  updated_at         BIGINT NOT NULL
);

CREATE INDEX pairgate_device_pending ON pairgate_device (pending_expires_at, pending_address);

-- Every request id a device record holds (its pending id and its remembered, resolved ids).
CREATE TABLE pairgate_request (
  request_id VARCHAR(128) NOT NULL PRIMARY KEY,
  device_id  VARCHAR(64) NOT NULL
);

CREATE INDEX pairgate_request_device ON pairgate_request (device_id);

-- Best-effort access times (PairingStore.touch), kept out of the versioned row.
CREATE TABLE pairgate_touch (
  device_id VARCHAR(64) NOT NULL,
  role_name VARCHAR(64) NOT NULL,
  at_ms     BIGINT NOT NULL,
  at_nanos  INTEGER NOT NULL,
  PRIMARY KEY (device_id, role_name)
);
