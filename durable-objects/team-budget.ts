/**
 * @module
 * TeamBudget Durable Object: one instance per team (named by team id) holds the team's budget
 * ledger and rpm/tpm windows for the team, its workloads and its keys.
 *
 * Consistency model: a Durable Object runs one event at a time, and every RPC method below does
 * all its checking and counting synchronously, before any await. So two requests from any number
 * of isolates are totally ordered here, and "check then reserve" can never interleave: that is
 * what makes budgets and limits exact. State lives in memory for speed and is written through to
 * the DO's SQLite storage in the same turn; the output gate holds the RPC answer until the write
 * is durable, so an answer never reports state that a restart could lose.
 *
 * Isolates mostly call `lease`: it reserves the worst case of several requests at once (as many
 * as the headroom allows, never more than 1/8 of it), which the isolate spends locally within the
 * second it was counted in and then closes with one `settle` carrying the actual cost, tokens and request count
 * (src/guardrails/lease.ts). A lease may be asked for ahead of time (`atSec`: the next second),
 * so an isolate has its next lease before the current one runs out; its requests are counted in
 * that second's rate bucket, which every check made now also counts (src/guardrails/window.ts),
 * so a promise for the next second is never handed out twice, and its money is reserved at once.
 * The check-then-count for it is the same synchronous step as for any other reservation, so the
 * ordering argument above holds unchanged. `reserve` is the single-request form. Either way, what is admitted
 * here is admitted by the same checks, so spend and rate limits stay within their limits across
 * any number of isolates. Reservations carry an expiry; the alarm releases stale ones, so an
 * isolate that died mid-request cannot hold budget forever.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import {
  budgetStatus,
  countSecond,
  emptyLedger,
  leaseCount,
  nextExpiry,
  reserve,
  settle,
  sweep,
  type BudgetStatus,
  type LeaseDecision,
  type LeaseInput,
  type LedgerState,
  type ReservationRecord,
  type ReserveDecision,
  type ReserveInput,
  type ScopeState,
  type SettleInput,
  type ThresholdEvent,
} from "../src/guardrails/ledger";
import type { BudgetPeriod } from "../src/guardrails/period";

export class TeamBudget extends DurableObject<Env> {
  private ledger: LedgerState = emptyLedger();
  private alarmAt: number | null = null;
  /** RPCs served since this instance started (diagnostics: shows how much leases save). */
  private calls = { lease: 0, reserve: 0, settle: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS scopes (key TEXT PRIMARY KEY, state TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS reservations (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
    for (const row of sql.exec<{ state: string }>("SELECT state FROM scopes")) {
      const s = JSON.parse(row.state) as ScopeState;
      this.ledger.scopes.set(s.key, s);
    }
    for (const row of sql.exec<{ record: string }>("SELECT record FROM reservations")) {
      const r = JSON.parse(row.record) as ReservationRecord;
      this.ledger.reservations.set(r.id, r);
    }
    ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private persistScopes(keys: Iterable<string>): void {
    for (const key of keys) {
      const s = this.ledger.scopes.get(key);
      if (s) this.ctx.storage.sql.exec("INSERT OR REPLACE INTO scopes (key, state) VALUES (?, ?)", key, JSON.stringify(s));
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const next = nextExpiry(this.ledger);
    if (next === undefined) return;
    if (this.alarmAt === null || next < this.alarmAt) {
      this.alarmAt = next;
      await this.ctx.storage.setAlarm(next);
    }
  }

  /** Checks limits and budgets of every scope and reserves the worst case, all or nothing. */
  async reserve(input: ReserveInput): Promise<ReserveDecision> {
    this.calls.reserve++;
    return this.admit(input, Date.now());
  }

  /**
   * Reserves a lease: the worst case of `granted` requests (1 ≤ granted ≤ want), sized by
   * `leaseCount` from the headroom of every scope. A refusal is the single request's refusal.
   */
  async lease(input: LeaseInput): Promise<LeaseDecision> {
    this.calls.lease++;
    const now = Date.now();
    const closed = input.close ? this.settleNow({ ...input.close, scopes: input.scopes, period: input.period }, now) : [];
    const count = Math.max(1, leaseCount(this.ledger, input, input.want, now));
    const decision = await this.admit({ ...input, count }, now);
    const thresholds = [...closed, ...decision.thresholds];
    // The second its requests were counted in: now's, or the next for a lease asked ahead of time.
    const windowSec = countSecond(input.atSec, Math.floor(now / 1000));
    return decision.ok ? { ...decision, thresholds, granted: count, windowSec } : { ...decision, thresholds };
  }

  private async admit(input: ReserveInput, now: number): Promise<ReserveDecision> {
    const decision = reserve(this.ledger, input, now);
    // Even a refusal may have rolled a period over or fired the 100% threshold.
    this.persistScopes(input.scopes.map((s) => s.key));
    if (decision.ok) {
      const r = this.ledger.reservations.get(input.reservationId)!;
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO reservations (id, record, expires_at) VALUES (?, ?, ?)", r.id, JSON.stringify(r), r.expiresAt);
      await this.scheduleAlarm();
    }
    return decision;
  }

  /** Charges the actual cost (0 for a failed call) and releases the rest of the reservation. */
  async settle(input: SettleInput): Promise<ThresholdEvent[]> {
    this.calls.settle++;
    return this.settleNow(input, Date.now());
  }

  private settleNow(input: SettleInput, now: number): ThresholdEvent[] {
    const events = settle(this.ledger, input, now);
    this.ctx.storage.sql.exec("DELETE FROM reservations WHERE id = ?", input.reservationId);
    this.persistScopes(input.scopes.map((s) => s.key));
    return events;
  }

  /** Budget view of one scope for the admin API. */
  async status(key: string, limitNusd: number, period: BudgetPeriod): Promise<BudgetStatus> {
    return budgetStatus(this.ledger, key, limitNusd, period, Date.now());
  }

  /** RPCs served since this instance started (tests and diagnostics). */
  async rpcCounts(): Promise<{ lease: number; reserve: number; settle: number }> {
    return { ...this.calls };
  }

  /** Number of live reservations (tests and diagnostics). */
  async openReservations(): Promise<number> {
    return this.ledger.reservations.size;
  }

  /** Releases reservations whose expiry passed (their settle never came) and re-arms. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const gone = sweep(this.ledger, Date.now());
    const touched = new Set<string>();
    for (const id of gone) this.ctx.storage.sql.exec("DELETE FROM reservations WHERE id = ?", id);
    for (const s of this.ledger.scopes.values()) touched.add(s.key);
    if (gone.length) {
      this.persistScopes(touched);
      console.warn("released stale budget reservations", { count: gone.length });
    }
    await this.scheduleAlarm();
  }
}
