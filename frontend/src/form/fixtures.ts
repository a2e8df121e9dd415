/**
 * Metadata fixtures for the form tests: a DocType with one field of every fieldtype in
 * api/types.ts (and the standard fields, as GET /api/meta/{doctype} sends them), a child table
 * and a Link. Shaped after the helpdesk demo's answers.
 */
import type { DocTypeMeta, FieldMeta, FieldType } from "../api/types";

export function fieldMeta(name: string, fieldtype: FieldType, extra: Partial<FieldMeta> = {}): FieldMeta {
  return {
    name,
    label: extra.label ?? name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()),
    description: null,
    required: false,
    read_only: false,
    hidden: false,
    in_list_view: false,
    fieldtype,
    options: null,
    link_doctype: null,
    child: null,
    schema: {},
    ...extra,
  };
}

const standardFields = (): FieldMeta[] => [
  fieldMeta("id", "uuid", { label: "Id", read_only: true, hidden: true }),
  fieldMeta("name", "data", { label: "Name", schema: { anyOf: [{ type: "string", maxLength: 140 }, { type: "null" }], default: null } }),
  fieldMeta("owner", "data", { label: "Owner", read_only: true }),
  fieldMeta("creation", "datetime", { label: "Creation", read_only: true }),
  fieldMeta("modified", "datetime", { label: "Modified", read_only: true }),
  fieldMeta("modified_by", "data", { label: "Modified By", read_only: true }),
  fieldMeta("_version", "int", { label: "Version", read_only: true, hidden: true, schema: { type: "integer", default: 0 } }),
];

export const lineChild: FieldMeta = fieldMeta("lines", "table", {
  label: "Lines",
  schema: { type: "array", items: { $ref: "#/$defs/Line" } },
  child: {
    doctype: "Line",
    fields: [
      ...standardFields(),
      fieldMeta("parent", "uuid", { read_only: true, hidden: true }),
      fieldMeta("idx", "int", { read_only: true, hidden: true }),
      fieldMeta("item", "data", { label: "Item", required: true, schema: { type: "string", minLength: 1, maxLength: 140 } }),
      fieldMeta("qty", "int", { label: "Qty", schema: { type: "integer", default: 1 } }),
      fieldMeta("note", "text", { label: "Note" }),
    ],
  },
});

/** Every fieldtype, in two sections (one collapsible, two columns) and a leftover. */
export const everythingMeta: DocTypeMeta = {
  doctype: "Everything",
  label: "Everything",
  description: "",
  module: "tests",
  naming: "uuid",
  title_field: "title",
  search_fields: ["title"],
  is_submittable: false,
  is_child_table: false,
  schema: {},
  list_fields: ["title"],
  permissions: { read: true, write: true, create: true, delete: true, submit: false, cancel: false, amend: false },
  layout: {
    sections: [
      { label: "Main", fields: ["title", "details", "secret", "count", "ratio", "price", "active", "status"], columns: 2 },
      { label: "When", fields: ["day", "at", "clock", "data", "customer"], collapsible: true },
      { label: "Lines", fields: ["lines"] },
    ],
  },
  fields: [
    ...standardFields(),
    fieldMeta("title", "data", { label: "Title", required: true, in_list_view: true, schema: { type: "string", minLength: 1, maxLength: 20 } }),
    fieldMeta("details", "text", { label: "Details", description: "Long text" }),
    fieldMeta("secret", "password", { label: "Secret" }),
    fieldMeta("count", "int", { label: "Count", schema: { anyOf: [{ type: "integer", minimum: 0 }, { type: "null" }] } }),
    fieldMeta("ratio", "float", { label: "Ratio" }),
    fieldMeta("price", "currency", { label: "Price" }),
    fieldMeta("active", "check", { label: "Active", schema: { type: "boolean", default: false } }),
    fieldMeta("status", "select", { label: "Status", options: ["Open", "Closed"], schema: { enum: ["Open", "Closed"], default: "Open" } }),
    fieldMeta("day", "date", { label: "Day" }),
    fieldMeta("at", "datetime", { label: "At" }),
    fieldMeta("clock", "time", { label: "Clock" }),
    fieldMeta("data", "json", { label: "Data" }),
    fieldMeta("customer", "link", { label: "Customer", required: true, link_doctype: "Customer" }),
    lineChild,
    fieldMeta("code", "uuid", { label: "Code" }),
    fieldMeta("computed", "data", { label: "Computed", read_only: true }),
    fieldMeta("internal", "data", { label: "Internal", hidden: true }),
  ],
};

export const customerMeta: DocTypeMeta = {
  ...everythingMeta,
  doctype: "Customer",
  label: "Customer",
  title_field: "customer_name",
  layout: {},
  fields: [...standardFields(), fieldMeta("customer_name", "data", { label: "Customer name", required: true })],
};

/** A submittable DocType for the form view's tests. */
export const invoiceMeta: DocTypeMeta = {
  ...everythingMeta,
  doctype: "Invoice",
  label: "Invoice",
  title_field: "title",
  is_submittable: true,
  permissions: { read: true, write: true, create: true, delete: true, submit: true, cancel: true, amend: false },
  layout: {},
  fields: [
    ...standardFields(),
    fieldMeta("docstatus", "int", { label: "Status", read_only: true, hidden: true }),
    fieldMeta("title", "data", { label: "Title", required: true }),
    fieldMeta("amount", "currency", { label: "Amount" }),
    fieldMeta("notes", "text", { label: "Notes" }),
  ],
};

/** Like the helpdesk demo's Ticket: a title, a long text, a Link, a select and a child table. */
export const ticketMeta: DocTypeMeta = {
  ...everythingMeta,
  doctype: "Ticket",
  label: "Ticket",
  title_field: "subject",
  naming: "series:TKT-.YYYY.-.#####",
  layout: { sections: [{ label: "Request", fields: ["subject", "customer", "priority", "description"] }, { label: "Comments", fields: ["comments"] }] },
  fields: [
    ...standardFields(),
    fieldMeta("subject", "data", { label: "Subject", required: true, schema: { type: "string", minLength: 1, maxLength: 140 } }),
    fieldMeta("description", "text", { label: "Description" }),
    fieldMeta("customer", "link", { label: "Customer", required: true, link_doctype: "Customer" }),
    fieldMeta("priority", "select", { label: "Priority", options: ["Low", "Medium", "High"], schema: { enum: ["Low", "Medium", "High"], default: "Medium" } }),
    fieldMeta("comments", "table", {
      label: "Comments",
      child: {
        doctype: "TicketComment",
        fields: [...standardFields(), fieldMeta("body", "text", { label: "Body", required: true }), fieldMeta("internal", "check", { label: "Internal", schema: { type: "boolean", default: false } })],
      },
    }),
  ],
};
