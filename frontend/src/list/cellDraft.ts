/**
 * Inline edit values: what an input holds for a field type (its draft), the value sent to the
 * server, and the message to show when the server refuses it.
 */
import type { FieldMeta } from "../api/types";
import i18n from "../i18n";
import { fieldType } from "./columns";

/** Field types a list cell can edit in place (links, JSON and child tables need the form). */
const INLINE_EDITABLE = new Set(["data", "text", "int", "float", "currency", "check", "select", "date", "datetime", "time"]);

export function isInlineEditable(field: FieldMeta): boolean {
  return !field.read_only && !field.hidden && INLINE_EDITABLE.has(fieldType(field));
}

export type Draft = string | boolean;

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** An ISO datetime as a datetime-local input's value, in the browser's time zone. */
function toLocalInput(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function toDraft(field: FieldMeta, value: unknown): Draft {
  const type = fieldType(field);
  if (type === "check") return Boolean(value);
  if (value === null || value === undefined) return "";
  if (type === "datetime" && typeof value === "string") return toLocalInput(value);
  if (type === "date" && typeof value === "string") return value.slice(0, 10);
  return String(value);
}

export class DraftError extends Error {}

/** The draft as the API wants it; throws DraftError with a message for the user. */
export function fromDraft(field: FieldMeta, draft: Draft): unknown {
  const type = fieldType(field);
  if (type === "check") return Boolean(draft);
  const text = String(draft).trim();
  if (text === "") {
    if (field.required) throw new DraftError(i18n.t("{{label}} is required", { label: field.label }));
    return null;
  }
  switch (type) {
    case "int": {
      const number = Number(text);
      if (!Number.isInteger(number)) throw new DraftError(i18n.t("Enter a whole number"));
      return number;
    }
    case "float": {
      const number = Number(text);
      if (!Number.isFinite(number)) throw new DraftError(i18n.t("Enter a number"));
      return number;
    }
    case "currency":
      // Decimals travel as strings so no precision is lost on the way.
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw new DraftError(i18n.t("Enter an amount such as 12.50"));
      return text;
    case "datetime": {
      const date = new Date(text);
      if (Number.isNaN(date.getTime())) throw new DraftError(i18n.t("Enter a date and time"));
      return date.toISOString();
    }
    case "data":
    case "text":
      return String(draft);
    default:
      return text;
  }
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return typeof a === "string" && typeof b === "string" ? a.trim() === b.trim() : a === b;
}

interface ErrorWithDetails {
  message?: string;
  details?: unknown;
  /** Refine's HttpError: {field: [messages]} */
  errors?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * What to show by the cell when a save is refused: the server's message for this field (422
 * details.errors[].loc, Litestar's [{key, message}], or Refine's errors map), else the
 * error's own message.
 */
export function saveErrorMessage(error: unknown, field: string): string {
  if (!isRecord(error)) return String(error);
  const { details, errors, message } = error as ErrorWithDetails;
  const lists: unknown[] = [];
  if (isRecord(details) && Array.isArray(details["errors"])) lists.push(...details["errors"]);
  if (Array.isArray(details)) lists.push(...details);
  let first: string | undefined;
  for (const item of lists) {
    if (!isRecord(item)) continue;
    const text = typeof item["msg"] === "string" ? item["msg"] : typeof item["message"] === "string" ? item["message"] : undefined;
    if (!text) continue;
    first ??= text;
    const loc = Array.isArray(item["loc"]) ? item["loc"] : [];
    if (loc[0] === field || loc[loc.length - 1] === field || item["key"] === field) return text;
  }
  if (isRecord(errors) && field in errors) {
    const value = errors[field];
    const text = Array.isArray(value) ? value.find((part) => typeof part === "string") : value;
    if (typeof text === "string") return text;
  }
  return first ?? message ?? i18n.t("Not saved");
}
