/**
 * @module
 * ProviderHealth Durable Object (placeholder until its issue lands).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";

export class ProviderHealth extends DurableObject<Env> {}
