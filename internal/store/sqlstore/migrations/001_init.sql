-- Keys, teams and the ledger. Times are microseconds since the Unix epoch
-- (UTC), money is integer nano-dollars, lists and metadata are JSON text:
-- the same statements run on SQLite and PostgreSQL.
CREATE TABLE teams (
	id              TEXT PRIMARY KEY,
	name            TEXT NOT NULL UNIQUE,
	budget_nano     BIGINT NOT NULL DEFAULT 0,
	budget_period   TEXT NOT NULL DEFAULT 'total',
	rpm             BIGINT NOT NULL DEFAULT 0,
	tpm             BIGINT NOT NULL DEFAULT 0,
	max_concurrency BIGINT NOT NULL DEFAULT 0,
	metadata        TEXT NOT NULL DEFAULT '{}',
	created_at      BIGINT NOT NULL
);

CREATE TABLE keys (
	id              TEXT PRIMARY KEY,
	name            TEXT NOT NULL,
	team            TEXT NOT NULL DEFAULT '',
	models          TEXT NOT NULL DEFAULT '[]',
	tags            TEXT NOT NULL DEFAULT '[]',
	hash            TEXT NOT NULL UNIQUE,
	prefix          TEXT NOT NULL DEFAULT '',
	budget_nano     BIGINT NOT NULL DEFAULT 0,
	budget_period   TEXT NOT NULL DEFAULT 'total',
	rpm             BIGINT NOT NULL DEFAULT 0,
	tpm             BIGINT NOT NULL DEFAULT 0,
	max_concurrency BIGINT NOT NULL DEFAULT 0,
	metadata        TEXT NOT NULL DEFAULT '{}',
	expires_at      BIGINT NOT NULL DEFAULT 0,
	created_at      BIGINT NOT NULL,
	revoked_at      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE ledger (
	id                 TEXT PRIMARY KEY,
	ts                 BIGINT NOT NULL,
	request_id         TEXT NOT NULL DEFAULT '',
	key_id             TEXT NOT NULL DEFAULT '',
	team               TEXT NOT NULL DEFAULT '',
	model              TEXT NOT NULL DEFAULT '',
	provider           TEXT NOT NULL DEFAULT '',
	upstream_model     TEXT NOT NULL DEFAULT '',
	input_tokens       BIGINT NOT NULL DEFAULT 0,
	output_tokens      BIGINT NOT NULL DEFAULT 0,
	cache_read_tokens  BIGINT NOT NULL DEFAULT 0,
	cache_write_tokens BIGINT NOT NULL DEFAULT 0,
	reasoning_tokens   BIGINT NOT NULL DEFAULT 0,
	cost_nano          BIGINT NOT NULL DEFAULT 0,
	latency_us         BIGINT NOT NULL DEFAULT 0,
	ttft_us            BIGINT NOT NULL DEFAULT 0,
	status             BIGINT NOT NULL DEFAULT 0,
	attempts           BIGINT NOT NULL DEFAULT 0
);

-- Usage reports and budget loads filter by time, by key or team and time.
CREATE INDEX ledger_ts ON ledger (ts);
CREATE INDEX ledger_key_ts ON ledger (key_id, ts);
CREATE INDEX ledger_team_ts ON ledger (team, ts);
