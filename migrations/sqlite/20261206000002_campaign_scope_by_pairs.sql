-- The campaigns a scoped session sees, by its pairs (see the PostgreSQL migration of the same
-- version): the demo database has no sign-in. This keeps both stores at one schema version.
SELECT 1;
