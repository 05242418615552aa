// Days as UTC midnights, so a due date never shifts with the local time zone.

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(value) {
  if (value instanceof Date) {
    return Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate());
  }
  if (typeof value === "number") {
    return value - (value % DAY_MS);
  }
  const match = ISO_DAY.exec(String(value));
  if (!match) {
    throw new Error(`not a day (YYYY-MM-DD): ${value}`);
  }
  const [, y, m, d] = match.map(Number);
  const day = Date.UTC(y, m - 1, d);
  if (new Date(day).getUTCDate() !== d) {
    throw new Error(`no such day: ${value}`);
  }
  return day;
}

export function formatDay(day) {
  return new Date(day).toISOString().slice(0, 10);
}

export function addDays(day, n) {
  return parseDay(day) + n * DAY_MS;
}

export function daysBetween(a, b) {
  return Math.round((parseDay(b) - parseDay(a)) / DAY_MS);
}
