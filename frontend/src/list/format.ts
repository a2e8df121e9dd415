/** Values as people read them, in the user's locale (dates, numbers, currency, checks). */
import type { FieldMeta } from "../api/types";
import i18n from "../i18n";
import { fieldType } from "./columns";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-11-21" is a calendar day, not UTC midnight: read it as a local date. */
function parseDate(value: string): Date | null {
  const match = DATE_ONLY.exec(value);
  const date = match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// Building an Intl formatter costs far more than using one: a list formats thousands of cells.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormatter(locale: string | undefined, withTime: boolean): Intl.DateTimeFormat {
  const key = `d|${locale ?? ""}|${withTime}`;
  let formatter = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" });
    formatters.set(key, formatter);
  }
  return formatter;
}

function numberFormatter(locale: string | undefined, fractionDigits: number | undefined): Intl.NumberFormat {
  const key = `n|${locale ?? ""}|${fractionDigits ?? ""}`;
  let formatter = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!formatter) {
    const options: Intl.NumberFormatOptions =
      fractionDigits === undefined ? {} : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits };
    formatter = new Intl.NumberFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatDate(value: string, locale?: string): string {
  const date = parseDate(value);
  return date ? dateFormatter(locale, false).format(date) : value;
}

export function formatDateTime(value: string, locale?: string): string {
  const date = parseDate(value);
  return date ? dateFormatter(locale, true).format(date) : value;
}

export function formatNumber(value: number | string, locale?: string, fractionDigits?: number): string {
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(number)) return String(value);
  return numberFormatter(locale, fractionDigits).format(number);
}

/**
 * A value as text (what a cell shows, minus the markup). Links show the linked document's
 * title when it is known, else its id.
 */
export function formatValue(field: FieldMeta, value: unknown, locale?: string, linkTitle?: string): string {
  if (value === null || value === undefined || value === "") return "";
  switch (fieldType(field)) {
    case "check":
      return value ? i18n.t("Yes") : i18n.t("No");
    case "date":
      return typeof value === "string" ? formatDate(value, locale) : String(value);
    case "datetime":
      return typeof value === "string" ? formatDateTime(value, locale) : String(value);
    case "int":
      return typeof value === "number" || typeof value === "string" ? formatNumber(value, locale, 0) : String(value);
    case "float":
      return typeof value === "number" || typeof value === "string" ? formatNumber(value, locale) : String(value);
    case "currency":
      return typeof value === "number" || typeof value === "string" ? formatNumber(value, locale, 2) : String(value);
    case "link":
      return linkTitle ?? String(value);
    case "table":
      return Array.isArray(value) ? String(value.length) : "";
    case "json":
      return JSON.stringify(value);
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}
