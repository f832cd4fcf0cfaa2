#!/usr/bin/env node
// Prints the demo organisation's credentials as JSON (DESIGN §3): gateway URL, an admin JWT
// signed with the local development secret, and one API key per demo workload; `regions` names
// the three local edges; `dashboard` has a sign-in link per role (the token rides in the URL's
// fragment, which browsers never send; the page moves it to sessionStorage and drops it).
import { SignJWT } from "jose";
import { DEMO_TEAMS, DEMO_WORKLOADS, demoKeyRows } from "./lib/demo-org.mjs";
import { DEFAULT_PORT, LOCAL_ADMIN_JWT_SECRET, REGIONS } from "./lib/local-config.mjs";

const port = Number(process.env.PORT ?? DEFAULT_PORT);
/** A local admin JWT for a role (team owners name their team). */
function demoToken(sub, role, team) {
  return new SignJWT({ role, ...(team ? { team } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuer("switchyard")
    .setAudience("switchyard-admin")
    .setIssuedAt()
    // The admin plane refuses tokens living longer than 24 h (src/admin/auth.ts): run this again tomorrow.
    .setExpirationTime("12h")
    .sign(new TextEncoder().encode(LOCAL_ADMIN_JWT_SECRET));
}
const adminToken = await demoToken("demo-admin", "admin");

// Public keys first, and the first public key is the exact-cache workload (support-bot).
const order = { public: 0, internal: 1, restricted: 2 };
const keys = demoKeyRows()
  .map((k) => ({ team: k.team, workload: k.workload, data_class: DEMO_WORKLOADS[k.workload].default_data_class, residency: DEMO_TEAMS[k.team].residency, api_key: k.apiKey }))
  .sort((a, b) => order[a.data_class] - order[b.data_class]);

// The three edges of `npm start` (scripts/lib/regions.mjs); gateway_url is the us edge.
const regions = Object.fromEntries(REGIONS.map((r, i) => [r, `http://127.0.0.1:${port + i}`]));
// One sign-in link per role; the team owner owns the demo's support team.
const link = (token) => `${regions.us}/dashboard#token=${token}`;
const dashboard = {
  admin: link(adminToken),
  finance: link(await demoToken("demo-finance", "finance")),
  auditor: link(await demoToken("demo-auditor", "auditor")),
  "team-owner": link(await demoToken("demo-support-owner", "team-owner", "support")),
};
process.stdout.write(JSON.stringify({ gateway_url: regions.us, regions, admin_token: adminToken, keys, dashboard }, null, 2) + "\n");
