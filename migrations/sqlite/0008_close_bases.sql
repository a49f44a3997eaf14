-- What the close report needs of a shop's matched records, folded into
-- dated groups (see domain::close_basis), as JSON. Written by every
-- whole-shop reconcile; `fingerprint` names what it was computed from (the
-- shop's import batches, its mapping file, its shops.toml entry, the rate
-- cards), and a report uses it only while those are unchanged.
CREATE TABLE close_bases (
    channel     TEXT NOT NULL,
    shop        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    basis       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, shop)
);

-- A shop's import mark (how many batches, the last one) without a scan.
CREATE INDEX import_batches_by_shop ON import_batches (shop, id);

-- A statement's count and total (what a trail's payout proof asks for each
-- of its statements) from the index alone: a big shop's daily statement
-- has tens of thousands of lines.
DROP INDEX settlement_lines_by_statement;
CREATE INDEX settlement_lines_by_statement ON settlement_lines (channel, shop, statement_id, net_micros);

-- Deposit entries (one or two a payout, among millions of entries): what a
-- trail asks for to reach the bank.
CREATE INDEX entries_deposits ON entries (seq) WHERE kind = 'deposit';
