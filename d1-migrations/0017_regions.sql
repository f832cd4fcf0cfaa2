-- Home-edge processing (src/routing/forward.ts): a request that reached another region's edge and
-- was forwarded to the team's home zone records the forwarding region here. Matches src/db/schema.ts.
ALTER TABLE `usage_events` ADD `forwarded_from` text;
