-- Bookings lose their index by (channel, shop). Every row of it has one of a
-- few keys, and each new booking goes at the end of its key's run: measured
-- on a million-order month, keeping that index was 5–12 s of the 45–52 s
-- the write takes (more with larger pages, where each split of the last leaf
-- copies more). What read it reads a shop's bookings whole (the booking
-- state, the entries by day, a period's count), which a walk of the table
-- does as well when one shop has most of them; the shop's latest booking
-- (its ledger mark) is found by walking the table back from its end.
DROP INDEX bookings_by_shop;
