/**
 * CSV export of list rows (RFC 4180: comma-separated, CRLF line ends, fields with commas,
 * quotes or line breaks quoted, quotes doubled). Values are machine-readable: ids for links,
 * ISO dates, true/false; text that a spreadsheet would run as a formula is prefixed with '.
 */
import type { Doc, FieldMeta } from "../api/types";
import { fieldType } from "./columns";

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
/** A leading = + - @ (or tab/CR) makes spreadsheets evaluate a cell (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvValue(field: FieldMeta | undefined, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") {
    const type = field ? fieldType(field) : "data";
    const numeric = type === "currency" || type === "int" || type === "float";
    if (FORMULA_START.test(value) && !(numeric && PLAIN_NUMBER.test(value))) return `'${value}`;
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** The rows as CSV: an ID column, then one column per field (headed by its label). */
export function toCsv(rows: readonly Doc[], fields: readonly FieldMeta[]): string {
  const header = ["ID", ...fields.map((field) => field.label)];
  const lines = [header.map(csvField).join(",")];
  for (const row of rows) {
    lines.push([String(row.id), ...fields.map((field) => csvValue(field, row[field.name]))].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** `Ticket-2026-11-21.csv` */
export function csvFilename(doctype: string, now: Date = new Date()): string {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
  return `${doctype.replace(/[^\w.-]+/g, "_")}-${day}.csv`;
}

/** Offers the CSV as a download (a Blob URL on a temporary link). */
export function downloadCsv(csv: string, filename: string): void {
  // The byte order mark makes Excel read the file as UTF-8.
  const blob = new Blob(["\uFEFF", csv], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
