/**
 * The metadata contract of GET /api/meta and GET /api/meta/{doctype} (docs/api.md, "Metadata").
 * The server derives fieldtype/options/link_doctype/child from the Pydantic model, so the Desk
 * never guesses a widget from raw JSON Schema.
 */

export type JSONSchema = Record<string, unknown>;

export type FieldType =
  | "data" // short text (str with max_length <= 255)
  | "text" // long text (str without limit or > 255)
  | "password"
  | "int"
  | "float"
  | "currency" // Decimal; values travel as strings ("12.50") to keep precision
  | "check" // bool
  | "select" // Literal/Enum: options holds the choices
  | "date"
  | "datetime"
  | "time"
  | "json" // dict / list of scalars / Any
  | "link" // UUID pointing at another DocType: link_doctype
  | "table" // list of a ChildDocType: child
  | "uuid";

export type Action = "read" | "write" | "create" | "delete" | "submit" | "cancel" | "amend";

export interface FieldMeta {
  name: string;
  label: string;
  description: string | null;
  required: boolean;
  /** System fields (id, owner, creation, modified, modified_by, _version) and computed ones. */
  read_only: boolean;
  /** Not shown on forms: id, _version, the child row's parent/parenttype/parentfield/idx. */
  hidden: boolean;
  /** A default column of the list view. */
  in_list_view: boolean;
  fieldtype: FieldType;
  /** select: the choices, in order. null otherwise. */
  options: string[] | null;
  /** link: the target DocType's name. */
  link_doctype: string | null;
  /** table: the child DocType with its own fields. */
  child: { doctype: string; fields: FieldMeta[] } | null;
  /** This field's JSON Schema (Pydantic, validation mode). */
  schema: JSONSchema;
}

export interface LayoutSection {
  label?: string;
  /** Field names in order; laid out in `columns` columns (default 1). */
  fields?: string[];
  /** Or explicit columns, each a list of field names. */
  columns?: string[][] | number;
  collapsible?: boolean;
}

export interface Layout {
  sections?: LayoutSection[];
}

export interface DocTypeMeta {
  doctype: string;
  label: string;
  description: string;
  /** The app (Python package) that declares the DocType, for grouping in the sidebar. */
  module: string;
  naming: string;
  title_field: string | null;
  search_fields: string[];
  is_submittable: boolean;
  is_child_table: boolean;
  schema: JSONSchema;
  fields: FieldMeta[];
  layout: Layout;
  /** Default list columns, in order (title field first). */
  list_fields: string[];
  /** The current user's rights on this DocType. */
  permissions: Record<Action, boolean>;
}

export interface DocTypeSummary {
  doctype: string;
  label: string;
  module: string;
  title_field: string | null;
  is_submittable: boolean;
  can_create: boolean;
}

/** A document as the API returns it. */
export interface Doc {
  id: string;
  name?: string | null;
  owner?: string | null;
  creation?: string;
  modified?: string;
  modified_by?: string | null;
  _version?: number;
  docstatus?: number;
  [field: string]: unknown;
}

export interface ListResponse<T = Doc> {
  data: T[];
  total: number | null;
  limit: number;
  offset: number;
  has_more: boolean;
  next_cursor: string | null;
}

/** GET /api/v1/search: documents by name/title across the DocTypes the user may read. */
export interface SearchHit {
  doctype: string;
  id: string;
  name: string | null;
  title: string | null;
  modified: string;
}

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  teams: string[];
  tenants: string[];
  attributes: Record<string, unknown>;
  auth_method: string;
}

/** One filter in the API's syntax: [field, operator, value]. */
export type Operator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "in" | "not in" | "like" | "not like" | "ilike" | "not ilike" | "is" | "between";
export type FilterTriple = [string, Operator, unknown];
