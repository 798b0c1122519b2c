INSERT INTO mig_log (version) VALUES (2);
CREATE TABLE mig_two (id INTEGER NOT NULL);
