/**
 * Date/time values: the API speaks ISO 8601 (datetimes in UTC), the inputs speak the user's
 * local time. These convert between the two without losing the instant.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A server datetime ("2026-11-21T17:22:41.288918Z", or naive = UTC) as a datetime-local value. */
export function isoToLocalInput(value: unknown): string {
  if (typeof value !== "string" || !value) return "";
  const hasZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(value);
  const date = new Date(hasZone ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A datetime-local value (local time) as an ISO instant in UTC, or null when empty/invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** "10:30" / "10:30:00.123456" -> "10:30:00" (what a time input shows with step=1). */
export function timeToInput(value: unknown): string {
  if (typeof value !== "string" || !value) return "";
  const match = /^(\d\d):(\d\d)(?::(\d\d))?/.exec(value);
  return match ? `${match[1]}:${match[2]}:${match[3] ?? "00"}` : "";
}

export function inputToTime(value: string): string | null {
  if (!value) return null;
  return value.length === 5 ? `${value}:00` : value;
}

/** "2026-11-21" out of a date or datetime string. */
export function dateToInput(value: unknown): string {
  if (typeof value !== "string") return "";
  const match = /^\d{4}-\d{2}-\d{2}/.exec(value);
  return match ? match[0] : "";
}

/** A datetime for reading, in the user's locale and time zone. */
export function formatDateTime(value: unknown, locale?: string): string {
  if (typeof value !== "string" || !value) return "";
  const hasZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(value);
  const date = new Date(hasZone ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(locale);
}
