-- The gateway's own id (src/gateway/request-id.ts) is the primary key of usage_events and
-- request_logs and names R2 bodies; the client's `x-request-id` is only a correlation field,
-- kept here (hashed for restricted requests: src/logging/emit.ts) and filterable in GET /logs.
-- Matches src/db/schema.ts and src/db/guardrails-schema.ts.
ALTER TABLE `usage_events` ADD `client_request_id` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `client_request_id` text;--> statement-breakpoint
CREATE INDEX `request_logs_client_request_id` ON `request_logs` (`client_request_id`);
