/** A Ticket DocType's metadata as GET /api/meta/Ticket answers it (the contract in api/types.ts). */
import type { Doc, DocTypeMeta, FieldMeta, FieldType } from "../../api/types";

export function field(name: string, label: string, fieldtype: FieldType, extra: Partial<FieldMeta> = {}): FieldMeta {
  return {
    name,
    label,
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

export function ticketMeta(overrides: Partial<DocTypeMeta> = {}): DocTypeMeta {
  return {
    doctype: "Ticket",
    label: "Ticket",
    description: "",
    module: "helpdesk",
    naming: "series:TKT-.#####",
    title_field: "subject",
    search_fields: ["subject"],
    is_submittable: false,
    is_child_table: false,
    schema: {},
    layout: {},
    fields: [
      field("id", "ID", "uuid", { read_only: true, hidden: true }),
      field("name", "Name", "data", { read_only: true }),
      field("creation", "Created", "datetime", { read_only: true }),
      field("modified", "Modified", "datetime", { read_only: true }),
      field("_version", "Version", "int", { read_only: true, hidden: true }),
      field("subject", "Subject", "data", { required: true, in_list_view: true }),
      field("customer", "Customer", "link", { required: true, link_doctype: "Customer", in_list_view: true }),
      field("status", "Status", "select", { options: ["Open", "In Progress", "Closed"], required: true, in_list_view: true }),
      field("priority", "Priority", "select", { options: ["Low", "Medium", "High"], required: true, in_list_view: true }),
      field("urgent", "Urgent", "check"),
      field("due_on", "Due on", "date"),
      field("hours", "Hours", "float"),
      field("visits", "Visits", "int"),
      field("amount", "Amount", "currency"),
      field("description", "Description", "text"),
      field("comments", "Comments", "table", { child: { doctype: "TicketComment", fields: [] } }),
    ],
    list_fields: ["subject", "customer", "status", "priority"],
    permissions: { read: true, write: true, create: true, delete: true, submit: false, cancel: false, amend: false },
    ...overrides,
  };
}

export function ticket(index: number, extra: Partial<Doc> = {}): Doc {
  const number = String(index).padStart(5, "0");
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    name: `TKT-${number}`,
    creation: "2026-11-21T10:00:00Z",
    modified: "2026-11-21T10:00:00Z",
    _version: 1,
    subject: `Ticket number ${index}`,
    customer: "c0000000-0000-4000-8000-000000000001",
    status: "Open",
    priority: "Medium",
    urgent: false,
    due_on: "2026-12-01",
    hours: 1.5,
    visits: 3,
    amount: "1234.50",
    description: null,
    comments: [],
    ...extra,
  };
}

export function tickets(count: number): Doc[] {
  return Array.from({ length: count }, (_, index) => ticket(index + 1));
}
