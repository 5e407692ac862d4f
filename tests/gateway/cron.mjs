// Five-field cron expressions (minute hour day-of-month month day-of-week),
// evaluated in UTC: parsing with the usual forms (`*`, `*/n`, `a-b`, `a-b/n`,
// lists, month and weekday names), the next run after a time, and the
// shortest gap between runs (for the tiers' minimum schedule interval).

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  // 7 is Sunday too.
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

export class CronError extends Error {}

function value(text, field) {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.name === "month" ? 1 : 0);
  if (!/^\d+$/.test(text)) throw new CronError(`"${text}" is not a number in the ${field.name} field`);
  const n = Number(text);
  if (n < field.min || n > field.max) throw new CronError(`${n} is outside ${field.min}-${field.max} in the ${field.name} field`);
  return n;
}

function parseField(text, field) {
  const out = new Set();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) {
      throw new CronError(`"${part}" has a bad step in the ${field.name} field`);
    }
    let [lo, hi] = [field.min, field.max];
    if (range !== "*") {
      const [a, b] = range.split("-");
      lo = value(a, field);
      hi = b === undefined ? (stepText === undefined ? lo : field.max) : value(b, field);
      if (hi < lo) throw new CronError(`"${range}" runs backwards in the ${field.name} field`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a 5-field expression; throws CronError saying what is wrong. */
export function parseCron(expression) {
  const parts = String(expression).trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === "") throw new CronError(`expected 5 fields, got ${parts[0] === "" ? 0 : parts.length}`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, FIELDS[i]));
  if (weekdays.delete(7)) weekdays.add(0);
  return { minutes, hours, days, months, weekdays, anyDay: parts[2] === "*", anyWeekday: parts[4] === "*" };
}

function dayMatches(cron, date) {
  const dom = cron.days.has(date.getUTCDate());
  const dow = cron.weekdays.has(date.getUTCDay());
  // Classic cron: when both are restricted, either one matching is enough.
  if (cron.anyDay) return dow;
  if (cron.anyWeekday) return dom;
  return dom || dow;
}

/** The first run strictly after `from` (ms), within five years; null if none. */
export function nextRun(cron, from) {
  const t = new Date(Math.floor(from / 60_000) * 60_000 + 60_000);
  const limit = from + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t.getTime();
    }
  }
  return null;
}

/**
 * The shortest gap between two runs, in minutes: between the times of one
 * day, or from a day's last run to the next day's first (counted as if any
 * two days in a row could both match, which makes it a lower bound).
 */
export function minIntervalMinutes(cron) {
  const times = [];
  for (const h of [...cron.hours].sort((a, b) => a - b)) for (const m of [...cron.minutes].sort((a, b) => a - b)) times.push(h * 60 + m);
  let gap = 1440 - times.at(-1) + times[0];
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i] - times[i - 1]);
  return gap;
}
