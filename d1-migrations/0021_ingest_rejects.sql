-- Usage events and request logs the consumer could not store as rows (a missing or non-numeric
-- field: src/usage/storable.ts), and queue messages that were not JSON. Kept with the reason, so
-- nothing the gateway counted disappears without a trace; read through GET /admin/v1/usage/rejects.
-- One row per (kind, digest of the body): a redelivered batch adds nothing.
CREATE TABLE `ingest_rejects` (
	`kind` text NOT NULL,
	`digest` text NOT NULL,
	`received_at` text NOT NULL,
	`request_id` text,
	`team` text,
	`reason` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`kind`, `digest`)
);
--> statement-breakpoint
CREATE INDEX `ingest_rejects_received` ON `ingest_rejects` (`received_at`);
