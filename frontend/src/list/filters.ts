/**
 * Filters in two shapes: the API's triples ([field, operator, value], what the URL and the
 * request carry) and the filter builder's rows (an operator people read, a draft value per
 * field type). "contains" is `ilike %v%` (any case, the text escaped so % and _ are
 * literal); "is set" is `is "set"`.
 */
import type { DocTypeMeta, FieldMeta, FilterTriple, Operator } from "../api/types";
import i18n from "../i18n";
import { fieldType, isListable } from "./columns";

export type BuilderOperator =
  | "="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "contains"
  | "not contains"
  | "in"
  | "not in"
  | "between"
  | "is set"
  | "is not set";

/** A value as the builder's inputs hold it. */
export type DraftValue = string | string[] | [string, string];

export interface FilterRow {
  field: string;
  op: BuilderOperator;
  value: DraftValue;
}

const COMPARE: BuilderOperator[] = ["=", "!=", ">", ">=", "<", "<=", "between", "is set", "is not set"];

export function operatorsFor(field: FieldMeta): BuilderOperator[] {
  switch (fieldType(field)) {
    case "int":
    case "float":
    case "currency":
    case "date":
    case "datetime":
    case "time":
      return COMPARE;
    case "check":
      return ["="];
    case "select":
      return ["=", "!=", "in", "not in", "is set", "is not set"];
    case "link":
    case "uuid":
      return ["=", "!=", "is set", "is not set"];
    case "json":
      return ["is set", "is not set"];
    default:
      return ["contains", "not contains", "=", "!=", "is set", "is not set"];
  }
}

export function operatorLabel(op: BuilderOperator): string {
  const labels: Record<BuilderOperator, string> = {
    "=": i18n.t("equals"),
    "!=": i18n.t("does not equal"),
    ">": i18n.t("greater than"),
    ">=": i18n.t("at least"),
    "<": i18n.t("less than"),
    "<=": i18n.t("at most"),
    contains: i18n.t("contains"),
    "not contains": i18n.t("does not contain"),
    in: i18n.t("is one of"),
    "not in": i18n.t("is not one of"),
    between: i18n.t("between"),
    "is set": i18n.t("is set"),
    "is not set": i18n.t("is not set"),
  };
  return labels[op];
}

/** Fields one can filter on (what a list could show, plus name). */
export function filterableFields(meta: DocTypeMeta): FieldMeta[] {
  return meta.fields.filter((field) => isListable(field) || field.name === "name");
}

export function valueShape(op: BuilderOperator): "none" | "one" | "many" | "range" {
  if (op === "is set" || op === "is not set") return "none";
  if (op === "in" || op === "not in") return "many";
  if (op === "between") return "range";
  return "one";
}

export function emptyValue(field: FieldMeta, op: BuilderOperator): DraftValue {
  const shape = valueShape(op);
  if (shape === "many") return [];
  if (shape === "range") return ["", ""];
  if (fieldType(field) === "check") return "true";
  if (fieldType(field) === "select" && field.options?.length) return field.options[0]!;
  return "";
}

export function newRow(field: FieldMeta): FilterRow {
  const op = operatorsFor(field)[0]!;
  return { field: field.name, op, value: emptyValue(field, op) };
}

/** The user's text inside an `ilike` pattern: `\`, `%` and `_` match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export function unescapeLike(pattern: string): string {
  return pattern.replace(/\\([\\%_])/g, "$1");
}

/** The text between a pattern's leading and trailing `%`. */
export function likeInner(pattern: string): { inner: string; starts: boolean; ends: boolean } {
  const starts = pattern.startsWith("%");
  const ends = pattern.length > 1 && pattern.endsWith("%") && !pattern.endsWith("\\%");
  return { inner: pattern.slice(starts ? 1 : 0, ends ? -1 : undefined), starts, ends };
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** One value from its input's text to what the API compares with. */
function scalar(field: FieldMeta, text: string): unknown {
  switch (fieldType(field)) {
    case "int":
    case "float":
      return Number(text);
    case "check":
      return text === "true";
    case "datetime": {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? text : date.toISOString();
    }
    default:
      return text;
  }
}

/** Back from the API's value to the input's text. */
function draftText(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (fieldType(field) === "datetime" && typeof value === "string") {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) {
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
    }
  }
  return String(value);
}

function complete(field: FieldMeta, text: string): boolean {
  if (text.trim() === "") return false;
  const type = fieldType(field);
  return !((type === "int" || type === "float") && !Number.isFinite(Number(text)));
}

/** The row as an API filter; null while it is incomplete (no value yet). */
export function rowToTriple(row: FilterRow, field: FieldMeta): FilterTriple | null {
  switch (row.op) {
    case "is set":
      return [row.field, "is", "set"];
    case "is not set":
      return [row.field, "is", "not set"];
    case "contains":
    case "not contains": {
      const text = String(row.value);
      if (!text.trim()) return null;
      return [row.field, row.op === "contains" ? "ilike" : "not ilike", `%${escapeLike(text)}%`];
    }
    case "in":
    case "not in": {
      const values = (Array.isArray(row.value) ? row.value : [String(row.value)]).filter((text) => complete(field, text));
      return values.length ? [row.field, row.op, values.map((text) => scalar(field, text))] : null;
    }
    case "between": {
      const [low, high] = Array.isArray(row.value) ? row.value : [String(row.value), ""];
      if (!complete(field, low ?? "") || !complete(field, high ?? "")) return null;
      return [row.field, "between", [scalar(field, low!), scalar(field, high!)]];
    }
    default: {
      const text = String(row.value);
      if (!complete(field, text)) return null;
      return [row.field, row.op as Operator, scalar(field, text)];
    }
  }
}

/** An API filter as a builder row (an unknown field gives null). */
export function tripleToRow(triple: FilterTriple, meta: DocTypeMeta): FilterRow | null {
  const [name, op, value] = triple;
  const field = meta.fields.find((candidate) => candidate.name === name);
  if (!field) return null;
  if (op === "is") return { field: name, op: value === "not set" ? "is not set" : "is set", value: "" };
  if (op === "like" || op === "not like" || op === "ilike" || op === "not ilike") {
    const { inner } = likeInner(String(value ?? ""));
    const text = op.endsWith("ilike") ? unescapeLike(inner) : inner;
    return { field: name, op: op.startsWith("not") ? "not contains" : "contains", value: text };
  }
  if (op === "in" || op === "not in") {
    const values = Array.isArray(value) ? value : [value];
    return { field: name, op, value: values.map((item) => draftText(field, item)) };
  }
  if (op === "between") {
    const [low, high] = Array.isArray(value) ? value : [value, ""];
    return { field: name, op, value: [draftText(field, low), draftText(field, high)] };
  }
  return { field: name, op, value: draftText(field, value) };
}

const OPERATORS: ReadonlySet<string> = new Set(["=", "!=", ">", ">=", "<", "<=", "in", "not in", "like", "not like", "ilike", "not ilike", "is", "between"]);

/** The URL's `filters` parameter, keeping only well-formed triples. */
export function parseFilters(raw: string | null | undefined): FilterTriple[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (item): item is FilterTriple => Array.isArray(item) && item.length === 3 && typeof item[0] === "string" && OPERATORS.has(item[1] as string),
  );
}

/** A filter in words: "Status equals Open". */
export function describeFilter(triple: FilterTriple, meta: DocTypeMeta): string {
  const row = tripleToRow(triple, meta);
  const field = meta.fields.find((candidate) => candidate.name === triple[0]);
  if (!row || !field) return triple.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ");
  const shape = valueShape(row.op);
  const checkText = (text: string) => (fieldType(field) === "check" ? (text === "true" ? i18n.t("Yes") : i18n.t("No")) : text);
  const value =
    shape === "none"
      ? ""
      : shape === "many"
        ? (row.value as string[]).map(checkText).join(", ")
        : shape === "range"
          ? `${(row.value as string[])[0]} – ${(row.value as string[])[1]}`
          : checkText(String(row.value));
  return [field.label, operatorLabel(row.op), value].filter(Boolean).join(" ");
}
