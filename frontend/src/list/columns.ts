/**
 * Which fields a list shows, from the metadata: the title column first (it links to the form),
 * then the chosen columns or the DocType's list_fields.
 */
import type { Doc, DocTypeMeta, FieldMeta, FieldType } from "../api/types";

/** Fields a list can show as a column: no child tables, passwords or hidden fields. */
const UNLISTABLE: ReadonlySet<FieldType> = new Set(["table", "password"]);
/** Sortable on the server and meaningful to sort by. */
const UNSORTABLE: ReadonlySet<FieldType> = new Set(["table", "json", "password"]);
/** Shown in the column chooser but never proposed as default columns. */
const SYSTEM_FIELDS: ReadonlySet<string> = new Set(["id", "_version", "owner", "modified_by", "docstatus"]);

/** The field type, "data" when the server does not say (older metadata). */
export function fieldType(field: Pick<FieldMeta, "fieldtype">): FieldType {
  return field.fieldtype ?? "data";
}

export function isListable(field: FieldMeta): boolean {
  return !field.hidden && !UNLISTABLE.has(fieldType(field)) && field.name !== "_version";
}

export function isSortable(field: FieldMeta): boolean {
  return !UNSORTABLE.has(fieldType(field));
}

/** The field a row is known by: the DocType's title field, else `name`. */
export function titleFieldName(meta: DocTypeMeta): string {
  const title = meta.title_field;
  if (title && meta.fields.some((field) => field.name === title)) return title;
  return "name";
}

/**
 * What a list page asks the server for (the API's `fields`): the shown columns, the row's
 * title and name, and `_version` so an inline edit is checked against the version shown.
 * Only these: no child tables or long texts the page never draws.
 */
export function fetchedFields(meta: DocTypeMeta, columns: readonly FieldMeta[]): string[] {
  return [...new Set(["name", "_version", titleFieldName(meta), ...columns.map((column) => column.name)])];
}

/** The row's title as people read it: its title, else its name, else its id. */
export function rowTitle(meta: DocTypeMeta, row: Doc): string {
  const title = row[titleFieldName(meta)];
  if (typeof title === "string" && title.trim()) return title;
  if (typeof row.name === "string" && row.name) return row.name;
  return String(row.id);
}

/** A name for the row in labels such as "Select TKT-2026-00001": its name, else its title. */
export function rowName(meta: DocTypeMeta, row: Doc): string {
  if (typeof row.name === "string" && row.name) return row.name;
  return rowTitle(meta, row);
}

function fieldByName(meta: DocTypeMeta, name: string): FieldMeta | undefined {
  return meta.fields.find((field) => field.name === name);
}

const NAME_FIELD: FieldMeta = {
  name: "name",
  label: "Name",
  description: null,
  required: false,
  read_only: true,
  hidden: false,
  in_list_view: true,
  fieldtype: "data",
  options: null,
  link_doctype: null,
  child: null,
  schema: {},
};

/** The first column: the title field (or name), always shown. */
export function titleColumn(meta: DocTypeMeta): FieldMeta {
  return fieldByName(meta, titleFieldName(meta)) ?? NAME_FIELD;
}

/** Fields the column chooser offers (everything listable except the title column). */
export function choosableFields(meta: DocTypeMeta): FieldMeta[] {
  const title = titleColumn(meta).name;
  return meta.fields.filter((field) => field.name !== title && isListable(field));
}

/** The default columns: list_fields, else the in_list_view fields, else the first few fields. */
export function defaultColumnNames(meta: DocTypeMeta): string[] {
  if (meta.list_fields && meta.list_fields.length) return [...meta.list_fields];
  const flagged = meta.fields.filter((field) => field.in_list_view && isListable(field));
  if (flagged.length) return flagged.map((field) => field.name);
  const title = titleColumn(meta).name;
  const picked = meta.fields
    .filter((field) => isListable(field) && !SYSTEM_FIELDS.has(field.name) && fieldType(field) !== "text")
    .filter((field) => !["name", "creation", "modified", title].includes(field.name))
    .slice(0, 4)
    .map((field) => field.name);
  return [title, ...picked];
}

/** The columns to show, in order: the title column, then the chosen (or default) ones. */
export function resolveColumns(meta: DocTypeMeta, chosen?: readonly string[] | null): FieldMeta[] {
  const names = chosen && chosen.length ? chosen : defaultColumnNames(meta);
  const title = titleColumn(meta);
  const columns: FieldMeta[] = [title];
  const seen = new Set([title.name]);
  for (const name of names) {
    if (seen.has(name)) continue;
    const field = fieldByName(meta, name);
    if (field && isListable(field)) {
      columns.push(field);
      seen.add(name);
    }
  }
  return columns;
}
