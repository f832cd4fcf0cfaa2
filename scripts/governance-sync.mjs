#!/usr/bin/env node
// `npm run governance:sync`: submits the repo's governance/*.yaml as one proposal to a running
// gateway (POST /admin/v1/governance/proposals) and prints the answer: the diff against the live
// version and the consistency-check result. Approval and apply stay in the admin API, by other
// people (the author cannot approve their own proposal). The reverse direction is
// GET /admin/v1/governance/export. Token: SWITCHYARD_ADMIN_TOKEN, or the local development one.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SignJWT } from "jose";
import { parse } from "yaml";
import { DEFAULT_PORT, LOCAL_ADMIN_JWT_SECRET } from "./lib/local-config.mjs";

const FILES = {
  acceptable_use: "acceptable-use.yaml", classification: "data-classification.yaml", catalog: "model-catalog.yaml", workloads: "workloads.yaml",
  exemptions: "exemptions.yaml", minutes: "minutes.yaml", regulatory_map: "regulatory-map.yaml",
};
const dir = resolve(import.meta.dirname, "..", "governance");
const url = process.env.SWITCHYARD_URL ?? `http://127.0.0.1:${process.env.PORT ?? DEFAULT_PORT}`;
const token = process.env.SWITCHYARD_ADMIN_TOKEN ?? await new SignJWT({ role: "admin" })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(process.env.USER ?? "governance-sync")
  .setIssuer("switchyard").setAudience("switchyard-admin").setIssuedAt().setExpirationTime("10m")
  .sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));

const artifacts = Object.fromEntries(Object.entries(FILES).map(([name, file]) => [name, parse(readFileSync(join(dir, file), "utf8"))]));
const rationale = process.argv.slice(2).join(" ") || "governance-sync: the repository's governance/ files";
const res = await fetch(`${url}/admin/v1/governance/proposals`, {
  method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ artifacts, rationale }),
});
const body = await res.json();
console.log(JSON.stringify(body, null, 2));
process.exit(res.ok && body.check?.ok ? 0 : 1);
