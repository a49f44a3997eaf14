-- The web app's people and their sessions, and the audit log of what anyone
-- did (through the web or the command line).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'accountant', 'auditor')),
    -- argon2id in PHC string form; the password itself is never stored.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

-- A session is known by the SHA-256 of its cookie value, so a copy of the
-- database cannot be replayed as a login. Its CSRF token travels in forms.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

-- Who did what and when: append-only evidence for the auditor.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT,
    remote  TEXT
);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The ledger page filters entries by shop and account; search finds
-- payouts by id and entries by amount.
CREATE INDEX postings_by_shop ON postings (shop, entry_date) WHERE shop IS NOT NULL;
CREATE INDEX postings_by_amount ON postings (amount_micros);

-- Each shop's standing as of its last reconcile (match summary, unmapped
-- components, months with activity) as JSON: what the dashboard shows
-- without re-reading a shop's million orders. Rewritten by every reconcile.
CREATE TABLE shop_standings (
    channel    TEXT NOT NULL,
    shop       TEXT NOT NULL,
    standing   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, shop)
);
