/**
 * The dashboard in a real browser: Chromium from the @sparticuz/chromium npm package, driven by
 * playwright-core, against a gateway started as `npm start` starts one (test/e2e/browser/gateway.ts).
 * Every assertion about a number compares the page with the admin API's own answer.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VIEWS, viewsFor, type Role } from "../../dashboard/src/access";
import { int, usd } from "../../dashboard/src/format";
import type { Principal } from "../../src/admin/auth";
import { launchChromium } from "./browser/chromium";
import { startDashboardGateway, type DashboardGateway } from "./browser/gateway";

const SHOTS = path.resolve(__dirname, "../../.artifacts/screenshots");
const PRINCIPALS: Record<Role, Principal> = {
  admin: { sub: "e2e-admin", role: "admin" },
  finance: { sub: "e2e-cfo", role: "finance" },
  auditor: { sub: "e2e-ciso", role: "auditor" },
  "team-owner": { sub: "e2e-support-owner", role: "team-owner", team: "support" },
};

let gw: DashboardGateway;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [gw, browser] = await Promise.all([startDashboardGateway(), launchChromium()]);
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await gw?.stop();
}, 60_000);

async function api<T>(role: Role, p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gw.url}${p}`, { headers: { authorization: `Bearer ${await gw.token(PRINCIPALS[role])}` } });
  return { status: res.status, body: (res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text()) as T };
}

interface Session { page: Page; token: string; urls: string[]; apiAuth: Array<string | undefined> }

async function signIn(role: Role, viewport = { width: 1280, height: 800 }): Promise<Session> {
  const context = await browser.newContext({ viewport, locale: "en-US", timezoneId: "UTC" });
  contexts.push(context);
  const page = await context.newPage();
  const urls: string[] = [];
  const apiAuth: Array<string | undefined> = [];
  page.on("request", (r) => {
    urls.push(r.url());
    if (new URL(r.url()).pathname.startsWith("/admin/v1/")) apiAuth.push(r.headers().authorization);
  });
  const token = await gw.token(PRINCIPALS[role]);
  await page.goto(`${gw.url}/dashboard#token=${token}`);
  await page.waitForSelector("header.top nav");
  return { page, token, urls, apiAuth };
}

async function openView(page: Page, id: string): Promise<void> {
  await page.evaluate((v) => { location.hash = `#/${v}`; }, id);
  await page.waitForSelector(`[data-view="${id}"]`);
  await page.waitForFunction(() => !document.querySelector('[data-section][data-state="loading"]'), undefined, { timeout: 20_000 });
}

const sectionState = (page: Page, name: string) => page.getAttribute(`[data-section="${name}"]`, "data-state");
const tableRows = (page: Page, name: string) =>
  page.$$eval(`[data-table="${name}"] tbody tr`, (rows) => rows.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent?.trim() ?? "")));
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe("dashboard: served by the Worker", () => {
  it("serves /dashboard and /dashboard/ as static assets with a strict CSP and no inline script", async () => {
    for (const p of ["/dashboard", "/dashboard/"]) {
      const res = await fetch(`${gw.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/dashboard/app.js">');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    const js = await fetch(`${gw.url}/dashboard/app.js`);
    expect(js.headers.get("content-type")).toContain("javascript");
    // Everything else still reaches the Worker.
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});

describe("dashboard: roles", () => {
  it("lists a view for a role exactly when the admin API lets that role read the view's records", async () => {
    for (const role of Object.keys(PRINCIPALS) as Role[]) {
      for (const view of VIEWS) {
        const { status } = await api(role, view.probe);
        const allowed = (view.roles as readonly string[]).includes(role);
        expect({ role, view: view.id, status }).toEqual({ role, view: view.id, status: allowed ? 200 : 403 });
      }
    }
  });

  for (const role of Object.keys(PRINCIPALS) as Role[]) {
    it(`signs a ${role} in from the link: the token leaves the URL and travels only as a bearer header`, async () => {
      const s = await signIn(role);
      const nav = await s.page.$$eval("header nav a", (as) => as.map((a) => a.textContent));
      expect(nav).toEqual(viewsFor(role).map((v) => v.title));
      await openView(s.page, viewsFor(role)[0].id);
      expect(s.page.url()).not.toContain(s.token);
      expect(s.page.url()).not.toContain("token=");
      expect(await s.page.evaluate(() => sessionStorage.getItem("switchyard.admin-token"))).toBe(s.token);
      // The link's fragment never leaves the browser: no request carries the token in its URL.
      expect(new URL(s.urls[0]).pathname).toBe("/dashboard");
      expect(s.urls.filter((u) => u.includes(s.token.slice(-20)) || new URL(u).search.includes("token"))).toEqual([]);
      expect(s.apiAuth.length).toBeGreaterThan(0);
      expect(s.apiAuth.every((h) => h === `Bearer ${s.token}`)).toBe(true);
      expect(await s.page.textContent(".who")).toContain(role);
    });
  }

  it("shows a finance user no security view, and the not-allowed state when they go there", async () => {
    const s = await signIn("finance");
    expect(await s.page.$('header nav a[data-view="security"]')).toBeNull();
    await s.page.evaluate(() => { location.hash = "#/security"; });
    await s.page.waitForSelector('[data-state="forbidden"]');
    expect(await s.page.textContent('[data-state="forbidden"]')).toContain("not allowed");
    expect(s.urls.some((u) => u.includes("/admin/v1/dashboard/dlp"))).toBe(false);
  });

  it("signs out with a clear message when the API refuses the token", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    contexts.push(context);
    const page = await context.newPage();
    const forged = (await gw.token(PRINCIPALS.admin)).replace(/\.[^.]+$/, ".c2lnbmF0dXJlLW5vdC12YWxpZA");
    await page.goto(`${gw.url}/dashboard#token=${forged}`);
    await page.waitForSelector('form[data-state="signed-out"] [role="alert"]');
    expect(await page.textContent('[role="alert"]')).toContain("Signed out");
    expect(await page.evaluate(() => sessionStorage.getItem("switchyard.admin-token"))).toBeNull();
  });
});

describe("dashboard: views with the demo organisation's records", () => {
  it("platform: traffic per provider and region, drills and incidents as the API has them", async () => {
    const traffic = await api<{ data: Array<{ provider: string; region: string; requests: number }> }>("auditor", "/admin/v1/dashboard/traffic?days=14");
    const drills = await api<{ data: Array<{ verdict: string }> }>("auditor", "/admin/v1/failover-drills?limit=50");
    const incidents = await api<{ data: unknown[] }>("auditor", "/admin/v1/incidents?limit=50");
    expect(drills.body.data.length).toBeGreaterThan(0);
    const s = await signIn("auditor");
    await openView(s.page, "platform");
    const rows = await tableRows(s.page, "traffic");
    const primary = traffic.body.data.find((r) => r.provider === "sim-us-primary")!;
    expect(rows).toContainEqual(expect.arrayContaining(["sim-us-primary", "us", int(primary.requests)]));
    expect(await tableRows(s.page, "drills")).toHaveLength(drills.body.data.length);
    expect((await tableRows(s.page, "drills")).filter((r) => r.includes("pass"))).toHaveLength(drills.body.data.filter((d) => d.verdict === "pass").length);
    const incidentRows = await tableRows(s.page, "incidents");
    expect(incidentRows.length).toBe(Math.max(1, incidents.body.data.length)); // an empty table shows one "no incidents" row
    expect(await s.page.$$('[data-chart="Requests per day"] canvas')).not.toHaveLength(0);
    await shot(s.page, "platform");
  });

  it("finance: spend vs budget vs forecast per team with the 80% interval, reports and their emails", async () => {
    const forecast = await api<{ total: { p10: number; p50: number; p90: number } }>("finance", "/admin/v1/forecasts?scope=team&id=platform&horizon=30");
    const reports = await api<Array<{ kind: string; delivery: { status: string } }>>("finance", "/admin/v1/reports");
    const s = await signIn("finance");
    await openView(s.page, "finance");
    const platform = (await tableRows(s.page, "finance-teams")).find((r) => r[0].startsWith("Platform engineering"))!;
    expect(platform[1]).toBe("$5,000");
    expect(platform[4]).toBe(usd(forecast.body.total.p50));
    expect(platform[5]).toBe(`${usd(forecast.body.total.p10)} – ${usd(forecast.body.total.p90)}`);
    const reportRows = await tableRows(s.page, "reports");
    expect(reports.body.length).toBeGreaterThan(0);
    expect(reportRows).toHaveLength(reports.body.length);
    expect(reportRows.some((r) => r[1] === "finance" && r[2] === "sent")).toBe(true);
    await s.page.click('[data-table="reports"] a[data-records$="/email"]');
    await s.page.waitForSelector("dialog.records[open] pre.raw");
    expect(await s.page.textContent("dialog.records pre.raw")).toMatch(/^(From|Date|To|Subject|MIME-Version|Message-ID):/im);
    await s.page.keyboard.press("Escape");
    await shot(s.page, "finance");
  });

  it("security and governance: DLP blocks, audits, discoveries and the governance chain", async () => {
    const dlp = await api<{ blocked_requests: number; requests_with_findings: number }>("auditor", "/admin/v1/dashboard/dlp?days=30");
    const s = await signIn("auditor");
    await openView(s.page, "security");
    expect(await s.page.textContent('[data-kpi="Blocked requests"] .kpi-value')).toBe(int(dlp.body.blocked_requests));
    expect(await s.page.textContent('[data-kpi="Requests with findings"] .kpi-value')).toBe(int(dlp.body.requests_with_findings));
    expect(dlp.body.blocked_requests).toBeGreaterThan(0);
    expect((await tableRows(s.page, "discoveries")).some((r) => r[0] === "key_demo_code_review")).toBe(true);
    expect(await s.page.textContent('[data-kpi="Live version"]')).toContain("hash chain verified");
    expect(await sectionState(s.page, "audits")).toBe("ready");
    expect((await tableRows(s.page, "compliance"))[0]).toEqual(expect.arrayContaining(["sent"]));
    await shot(s.page, "security");
  });

  it("workloads: a team owner sees its workloads with datasets and coverage, not the auditors' recommendations", async () => {
    const datasets = await api<{ data: Array<{ suite: string; examples: number; version: number }> }>("team-owner", "/admin/v1/workloads/support-bot/datasets");
    const golden = datasets.body.data.filter((d) => d.suite === "golden").sort((a, b) => b.version - a.version)[0];
    const s = await signIn("team-owner");
    await openView(s.page, "workloads");
    const rows = await tableRows(s.page, "workloads");
    expect(rows.map((r) => r[1])).toEqual(rows.map(() => "support"));
    const bot = rows.find((r) => r[0] === "support-bot")!;
    expect(bot[2]).toContain("production");
    expect(bot[4]).toBe(`v${golden.version} · ${int(golden.examples)} examples`);
    expect(await sectionState(s.page, "eval-runs")).toBe("ready");
    expect(await sectionState(s.page, "recommendations")).toBe("forbidden");
    await shot(s.page, "workloads");
  });

  it("developers: a team owner's keys, usage and the NPS survey", async () => {
    const keys = await api<{ data: Array<{ prefix: string; team: string }> }>("team-owner", "/admin/v1/keys");
    const s = await signIn("team-owner");
    await openView(s.page, "developers");
    const rows = await tableRows(s.page, "keys");
    expect(rows).toHaveLength(keys.body.data.length);
    expect(rows.map((r) => r[2])).toEqual(rows.map(() => "support"));
    expect(rows.map((r) => r[0])).toContain(`${keys.body.data[0].prefix}…`);
    expect(await s.page.textContent('[data-section="nps"]')).toContain("Developer survey");
    expect((await tableRows(s.page, "dev-usage")).every((r) => r[1] === "support")).toBe(true);
    await shot(s.page, "developers");
  });

  it("overview and knowledge: the scorecard and the search follow the API", async () => {
    const maturity = await api<{ score: { percent: number } }>("admin", "/admin/v1/maturity");
    const s = await signIn("admin");
    await openView(s.page, "overview");
    expect(await sectionState(s.page, "month")).toBe("ready");
    expect(maturity.status).toBe(200);
    expect(await sectionState(s.page, "scorecard")).toBe("ready");
    expect(await s.page.textContent('[data-kpi="Criteria met"] .kpi-value')).toBe(`${(maturity.body.score.percent).toFixed(1)}%`);
    await shot(s.page, "overview");
    const knowledge = await api<{ results: unknown[] }>("admin", "/admin/v1/knowledge?q=outage&limit=50");
    await openView(s.page, "knowledge");
    await s.page.fill("#knowledge-q", "outage");
    await s.page.press("#knowledge-q", "Enter");
    await s.page.waitForFunction(() => ["ready", "unavailable", "forbidden", "error"].includes(document.querySelector('[data-section="knowledge-results"]')?.getAttribute("data-state") ?? ""));
    const state = await s.page.getAttribute('[data-section="knowledge-results"]', "data-state");
    expect(knowledge.status).toBe(200);
    expect(state).toBe("ready");
    expect(await s.page.$$(".hits li")).toHaveLength(knowledge.body.results.length);
    await shot(s.page, "knowledge");
  });
});

describe("dashboard: tables, keyboard, phone", () => {
  it("sorts by a column (click, then Enter) and filters by text", async () => {
    const s = await signIn("admin");
    await openView(s.page, "finance");
    const header = '[data-table="finance-teams"] th:nth-child(2) button';
    await s.page.click(header);
    expect(await s.page.getAttribute('[data-table="finance-teams"] th:nth-child(2)', "aria-sort")).toBe("ascending");
    let rows = await tableRows(s.page, "finance-teams");
    const budgets = rows.map((r) => Number(r[1].replace(/[$,]/g, "")));
    expect(budgets).toEqual([...budgets].sort((a, b) => a - b));
    expect(rows[0][0]).toContain("People & HR");
    await s.page.focus(header);
    await s.page.keyboard.press("Enter");
    expect(await s.page.getAttribute('[data-table="finance-teams"] th:nth-child(2)', "aria-sort")).toBe("descending");
    rows = await tableRows(s.page, "finance-teams");
    expect(rows[0][1]).toBe("$5,000");
    await s.page.fill('[data-section="finance-teams"] input[type="search"]', "apac");
    rows = await tableRows(s.page, "finance-teams");
    expect(rows).toHaveLength(1);
    expect(rows[0][0]).toContain("Sales APAC");
  });

  it("works from the keyboard: skip link, navigation, a number's records panel and back", async () => {
    const s = await signIn("admin");
    await openView(s.page, "overview");
    // The skip link is the first stop in the tab order, just before the header's first link.
    await s.page.focus("a.brand");
    await s.page.keyboard.press("Shift+Tab");
    expect(await s.page.evaluate(() => document.activeElement?.className)).toBe("skip");
    await s.page.keyboard.press("Enter");
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe("main");
    await s.page.evaluate(() => (document.querySelector("a.brand") as HTMLElement).focus());
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await s.page.keyboard.press("Tab");
      reached = await s.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.view === "finance");
    }
    expect(reached).toBe(true);
    await s.page.keyboard.press("Enter");
    await s.page.waitForSelector('[data-view="finance"]');
    await s.page.waitForFunction(() => !document.querySelector('[data-section][data-state="loading"]'));
    await s.page.focus('[data-table="finance-teams"] a.num');
    await s.page.keyboard.press("Enter");
    await s.page.waitForSelector('dialog.records[open] [data-table="records"]');
    expect(await s.page.textContent("dialog.records .path")).toMatch(/^GET \/admin\/v1\/teams\/.+\/budget$/);
    await s.page.keyboard.press("Escape");
    await s.page.waitForFunction(() => !document.querySelector("dialog.records[open]"));
    expect(await s.page.evaluate(() => document.activeElement?.classList.contains("num"))).toBe(true);
  });

  it("renders every view on a phone (390×844) without horizontal overflow", async () => {
    const s = await signIn("admin", { width: 390, height: 844 });
    for (const v of viewsFor("admin")) {
      await openView(s.page, v.id);
      const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect({ view: v.id, overflow }).toEqual({ view: v.id, overflow: 0 });
      if (v.id === "finance" || v.id === "platform") await shot(s.page, `${v.id}-phone`);
    }
  });
});
