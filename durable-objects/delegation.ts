/**
 * @module
 * Delegation Durable Object (placeholder until its issue lands).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";

export class Delegation extends DurableObject<Env> {}
