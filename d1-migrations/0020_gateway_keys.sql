-- The gateway's agent-token signing key, shared by every region through the control plane
-- (src/agents/gateway-keys.ts). Matches src/db/agents-schema.ts.
CREATE TABLE `gateway_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`kid` text NOT NULL,
	`public_jwk` text NOT NULL,
	`sealed_private_jwk` text NOT NULL,
	`created_at` text NOT NULL
);
