-- Koppel service schema, version 1.
-- Learners and placements are stored as their validated JSON record plus the columns that
-- queries filter on.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE reference (
    tbl  TEXT PRIMARY KEY,          -- regions, adjacency, sectors, qualifications, employers
    body TEXT NOT NULL              -- JSON array of records
) STRICT;

CREATE TABLE outlook (
    sector     TEXT NOT NULL,
    region     TEXT NOT NULL,
    internship INTEGER,
    work       INTEGER,
    PRIMARY KEY (sector, region)
) STRICT;

CREATE TABLE learners (
    id      TEXT PRIMARY KEY,
    region  TEXT NOT NULL,
    version INTEGER NOT NULL,
    body    TEXT NOT NULL
) STRICT;
CREATE INDEX learners_region ON learners (region, id);

CREATE TABLE placements (
    id       TEXT PRIMARY KEY,
    employer TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL
) STRICT;
CREATE INDEX placements_employer ON placements (employer, id);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,    -- SHA-256 of the secret, hex
    role       TEXT NOT NULL CHECK (role IN ('advisor', 'employer_desk', 'analyst', 'admin')),
    regions    TEXT NOT NULL,           -- JSON array
    employers  TEXT NOT NULL,           -- JSON array
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

-- Who read or changed what, never the data itself.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    token_id    INTEGER NOT NULL REFERENCES tokens (id),
    route       TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL
) STRICT;
CREATE INDEX audit_record ON audit (record_kind, record_id);

-- First result of each idempotent write, per token and key.
CREATE TABLE idempotency (
    token_id     INTEGER NOT NULL REFERENCES tokens (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    learner_id   TEXT,                  -- set when the response holds a learner's data
    result       TEXT NOT NULL,         -- JSON WriteResult
    created_at   TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
) STRICT;
CREATE INDEX idempotency_learner ON idempotency (learner_id);

CREATE TABLE proposals (
    id         INTEGER PRIMARY KEY,
    learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    placement  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    token_id   INTEGER NOT NULL REFERENCES tokens (id),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE allocations (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    request    TEXT NOT NULL,
    summary    TEXT,
    error      TEXT,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE assignments (
    allocation_id TEXT NOT NULL REFERENCES allocations (id) ON DELETE CASCADE,
    learner_id    TEXT NOT NULL,
    placement_id  TEXT NOT NULL,
    score         INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    PRIMARY KEY (allocation_id, learner_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX assignments_learner ON assignments (learner_id);

