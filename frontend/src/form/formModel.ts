/**
 * What a form shows, derived once from a DocType's metadata: the fields, their sections and
 * columns, and the JSON Schema (a small subset, see validator.ts) that RJSF validates against.
 * The server's own per-field schema is Pydantic's and uses anyOf/$ref; we rebuild a flat one
 * from fieldtype + the simple constraints so every widget knows exactly what it gets.
 */
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import type { DocTypeMeta, FieldMeta, JSONSchema, LayoutSection } from "../api/types";

/** Fields every document has; a form shows them only when the layout asks for them. */
export const STANDARD_FIELDS = new Set(["id", "name", "owner", "creation", "modified", "modified_by", "_version", "docstatus"]);
/** A child row's bookkeeping, never a grid column. */
export const CHILD_SYSTEM_FIELDS = new Set([...STANDARD_FIELDS, "parent", "parenttype", "parentfield", "idx"]);

export interface SectionModel {
  key: string;
  label?: string;
  collapsible: boolean;
  /** Explicit columns of field names; or null to flow `fields` into `columnCount` columns. */
  columns: string[][] | null;
  columnCount: number;
  fields: string[];
}

export interface FormModel {
  meta: DocTypeMeta;
  isNew: boolean;
  /** The fields the form shows, by name. */
  byName: Map<string, FieldMeta>;
  /** Shown fields the user may edit (the others are shown as text). */
  editable: Set<string>;
  sections: SectionModel[];
  /** Fields alone in a section of the same label: the heading says it, the label is for screen readers. */
  labelledBySection: Set<string>;
  schema: RJSFSchema;
  uiSchema: UiSchema;
}

function inLayout(meta: DocTypeMeta, name: string): boolean {
  return (meta.layout?.sections ?? []).some((s) => sectionFields(s).includes(name));
}

function sectionFields(section: LayoutSection): string[] {
  if (Array.isArray(section.columns)) return section.columns.flat();
  return section.fields ?? [];
}

/** Whether the user may type into this field (read-only ones are shown as text). */
export function isEditable(meta: DocTypeMeta, field: FieldMeta, isNew: boolean): boolean {
  if (field.read_only || field.hidden) return false;
  // `name` is set by the naming rule unless the DocType asks the user for it (on create).
  if (field.name === "name") return meta.naming === "prompt" && isNew;
  return !STANDARD_FIELDS.has(field.name);
}

/** Whether the form shows the field at all. */
export function isShown(meta: DocTypeMeta, field: FieldMeta, isNew: boolean): boolean {
  if (field.hidden) return false;
  const editable = isEditable(meta, field, isNew);
  // Read-only values do not exist yet on a new document.
  if (isNew && !editable) return false;
  if (field.name === "name") return meta.naming === "prompt" || inLayout(meta, "name");
  if (STANDARD_FIELDS.has(field.name)) return inLayout(meta, field.name);
  return true;
}

/** The grid columns of a child table. */
export function childColumns(field: FieldMeta): FieldMeta[] {
  return (field.child?.fields ?? []).filter((f) => !f.hidden && !f.read_only && !CHILD_SYSTEM_FIELDS.has(f.name));
}

/** The non-null branch of an Optional's anyOf, or the schema itself. */
function plainSchema(schema: JSONSchema | undefined): JSONSchema {
  if (!schema) return {};
  const anyOf = schema["anyOf"];
  if (Array.isArray(anyOf)) {
    const branch = (anyOf as JSONSchema[]).find((s) => s && s["type"] !== "null");
    if (branch) return { ...branch, title: schema["title"] };
  }
  return schema;
}

const STRING_CONSTRAINTS = ["minLength", "maxLength", "pattern"] as const;
const NUMBER_CONSTRAINTS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const;

function pick(source: JSONSchema, keys: readonly string[]): JSONSchema {
  const out: JSONSchema = {};
  for (const key of keys) {
    const value = source[key];
    if (key === "pattern") {
      // Pydantic patterns are Python regexes; keep one only when JavaScript reads it the same way.
      if (typeof value === "string" && compiles(value)) out[key] = value;
    } else if (typeof value === "number") {
      out[key] = value;
    }
  }
  return out;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

function typed(type: string, required: boolean): string | string[] {
  return required ? type : [type, "null"];
}

/** The JSON Schema the form validates one editable field against. */
export function fieldSchema(field: FieldMeta, required = field.required): JSONSchema {
  const source = plainSchema(field.schema);
  const base: JSONSchema = { title: field.label };
  switch (field.fieldtype) {
    case "data":
    case "text":
    case "password":
    case "uuid":
      return { ...base, type: typed("string", required), ...pick(source, STRING_CONSTRAINTS) };
    case "int":
      return { ...base, type: typed("integer", required), ...pick(source, NUMBER_CONSTRAINTS) };
    case "float":
      return { ...base, type: typed("number", required), ...pick(source, NUMBER_CONSTRAINTS) };
    case "currency":
      // Decimals travel as strings to keep their precision.
      return { ...base, type: required ? ["string", "number"] : ["string", "number", "null"], pattern: "^-?\\d+(\\.\\d+)?$" };
    case "check":
      return { ...base, type: typed("boolean", required) };
    case "select": {
      const options = field.options ?? [];
      return { ...base, enum: required ? [...options] : [...options, null] };
    }
    case "date":
    case "datetime":
    case "time":
    case "link":
      return { ...base, type: typed("string", required) };
    case "json":
      return base;
    case "table": {
      const columns = childColumns(field);
      const properties: Record<string, JSONSchema> = {};
      for (const column of columns) properties[column.name] = fieldSchema(column);
      return {
        ...base,
        type: "array",
        items: { type: "object", properties, required: columns.filter((c) => c.required).map((c) => c.name) },
      };
    }
    default:
      return base;
  }
}

function buildSections(meta: DocTypeMeta, shown: string[]): SectionModel[] {
  const visible = new Set(shown);
  const placed = new Set<string>();
  const sections: SectionModel[] = [];
  (meta.layout?.sections ?? []).forEach((section, index) => {
    let columns: string[][] | null = null;
    let fields: string[];
    if (Array.isArray(section.columns)) {
      columns = section.columns.map((column) => column.filter((name) => visible.has(name) && !placed.has(name)));
      fields = columns.flat();
      columns = columns.filter((column) => column.length > 0);
    } else {
      fields = (section.fields ?? []).filter((name) => visible.has(name) && !placed.has(name));
    }
    fields.forEach((name) => placed.add(name));
    if (!fields.length) return;
    const columnCount = columns ? columns.length : typeof section.columns === "number" && section.columns > 0 ? Math.min(4, Math.floor(section.columns)) : 1;
    sections.push({ key: `s${index}`, label: section.label, collapsible: Boolean(section.collapsible && section.label), columns, columnCount, fields });
  });
  // Fields the layout does not mention keep the metadata's order, after the sections.
  const rest = shown.filter((name) => !placed.has(name));
  if (rest.length) sections.push({ key: "rest", collapsible: false, columns: null, columnCount: 1, fields: rest });
  return sections;
}

export function buildFormModel(meta: DocTypeMeta, isNew: boolean): FormModel {
  const shownFields = meta.fields.filter((field) => isShown(meta, field, isNew));
  const byName = new Map(shownFields.map((field) => [field.name, field]));
  const editable = new Set(shownFields.filter((field) => isEditable(meta, field, isNew)).map((field) => field.name));
  const properties: Record<string, JSONSchema> = {};
  const uiSchema: UiSchema = {};
  const required: string[] = [];
  for (const field of shownFields) {
    const canEdit = editable.has(field.name);
    // A read-only value is displayed, never validated: it is not ours to fix.
    properties[field.name] = canEdit ? fieldSchema(field) : { title: field.label };
    // A "prompt" name is the user's to give: the server refuses a document without one.
    const needed = field.required || (field.name === "name" && meta.naming === "prompt");
    if (canEdit && needed) required.push(field.name);
    uiSchema[field.name] = { "ui:field": "fm", ...(canEdit ? {} : { "ui:readonly": true }) };
  }
  const sections = buildSections(meta, shownFields.map((field) => field.name));
  uiSchema["ui:order"] = [...sections.flatMap((s) => s.fields), "*"];
  const schema = { type: "object", properties, required } as RJSFSchema;
  const labelledBySection = new Set(
    sections.filter((s) => s.fields.length === 1 && s.label && s.label === byName.get(s.fields[0])?.label).map((s) => s.fields[0]),
  );
  return { meta, isNew, byName, editable, sections, labelledBySection, schema, uiSchema };
}

function defaultOf(field: FieldMeta): unknown {
  if (field.fieldtype === "table") return [];
  const value = field.schema?.["default"];
  return value === undefined ? undefined : structuredClone(value);
}

/** The values a new document starts with: the schema defaults of the fields one may edit. */
export function newDocumentValues(meta: DocTypeMeta): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of meta.fields) {
    if (!isEditable(meta, field, true)) continue;
    const value = defaultOf(field);
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}

/** A new child row: its columns' defaults. */
export function newChildRow(field: FieldMeta): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of childColumns(field)) {
    const value = defaultOf(column);
    if (value !== undefined) row[column.name] = value;
  }
  return row;
}

/** Deep equality of JSON values where a missing value and null are the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!sameValue(left[key], right[key])) return false;
  return true;
}

/** The editable fields whose value differs between `before` and `after`, with their new values. */
export function changedFields(meta: DocTypeMeta, before: Record<string, unknown>, after: Record<string, unknown>, isNew = false): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of meta.fields) {
    if (!isEditable(meta, field, isNew)) continue;
    if (!sameValue(before[field.name], after[field.name])) changes[field.name] = after[field.name] ?? null;
  }
  return changes;
}

/** The body of a create: every editable field that has a value. */
export function createPayload(meta: DocTypeMeta, value: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of meta.fields) {
    if (!isEditable(meta, field, true)) continue;
    const v = value[field.name];
    if (v !== undefined) body[field.name] = v;
  }
  return body;
}
