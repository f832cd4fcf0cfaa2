-- Log segments: a consumer batch packs its bodies into one R2 object per (data class, expiry day)
-- and each row points at its slice: bytes [body_offset, body_offset + body_bytes) of body_key.
-- body_offset NULL means the whole object at body_key (large bodies the edge writes itself).
-- The index serves the retention purge's "does any row still reference this segment" lookups.
-- Matches src/db/guardrails-schema.ts.
ALTER TABLE `request_logs` ADD `body_offset` integer;--> statement-breakpoint
CREATE INDEX `request_logs_body_key` ON `request_logs` (`body_key`);
