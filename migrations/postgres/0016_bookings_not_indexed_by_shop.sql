-- SQLite's 0016 drops its bookings' index by (channel, shop), whose
-- appends to a few long runs of equal keys cost it seconds a month.
-- PostgreSQL's B-tree keeps equal keys deduplicated and cheap to append to,
-- and its readers of one shop's bookings use the index: it stays here. The
-- migration exists on both backends so their versions stay in step.
SELECT 1;
