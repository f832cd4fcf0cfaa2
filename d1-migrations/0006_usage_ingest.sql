-- Usage writes stamp each inserted row with the write's random ingest id, and the daily rollup
-- adds exactly the rows carrying it (src/usage/writer.ts): one rollup statement per batch instead
-- of one per event, still idempotent under redelivery. Matches src/db/schema.ts.
ALTER TABLE `usage_events` ADD `ingest_id` text;--> statement-breakpoint
CREATE INDEX `usage_events_ingest` ON `usage_events` (`ingest_id`);
