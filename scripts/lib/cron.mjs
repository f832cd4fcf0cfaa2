// A tiny five-field cron matcher (minute hour day-of-month month day-of-week; `*`, `*/n`,
// `a-b`, lists) so `npm start` fires the Worker's Cron Triggers on their schedule, in UTC,
// the way Cloudflare does.
function fieldMatches(field, value, min) {
  return field.split(",").some((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    let lo, hi;
    if (range === "*") [lo, hi] = [min, Number.MAX_SAFE_INTEGER];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(Number);
    else [lo, hi] = [Number(range), stepText ? Number.MAX_SAFE_INTEGER : Number(range)];
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** @example cronMatches("*\/5 * * * *", new Date("2026-01-01T00:10:00Z")) === true */
export function cronMatches(expr, date) {
  const [m, h, dom, mon, dow] = expr.trim().split(/\s+/);
  return (
    fieldMatches(m, date.getUTCMinutes(), 0) &&
    fieldMatches(h, date.getUTCHours(), 0) &&
    fieldMatches(dom, date.getUTCDate(), 1) &&
    fieldMatches(mon, date.getUTCMonth() + 1, 1) &&
    fieldMatches(dow, date.getUTCDay(), 0)
  );
}

/** Calls `fire(expr)` for each matching expression at the start of every minute. */
export function scheduleCrons(crons, fire) {
  let timer;
  const tick = () => {
    const now = new Date();
    for (const expr of crons) if (cronMatches(expr, now)) fire(expr);
    timer = setTimeout(tick, 60000 - (Date.now() % 60000) + 50);
  };
  timer = setTimeout(tick, 60000 - (Date.now() % 60000) + 50);
  return () => clearTimeout(timer);
}
