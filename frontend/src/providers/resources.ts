/** Refine resources from GET /api/meta: one per DocType the user may read, routes under /app. */
import type { ResourceProps } from "@refinedev/core";
import type { DocTypeSummary } from "../api/types";

export const deskPaths = {
  home: () => "/app",
  list: (doctype: string) => `/app/${encodeURIComponent(doctype)}`,
  create: (doctype: string) => `/app/${encodeURIComponent(doctype)}/new`,
  edit: (doctype: string, id: string | number) => `/app/${encodeURIComponent(doctype)}/${encodeURIComponent(String(id))}`,
};

export function toResources(doctypes: DocTypeSummary[]): ResourceProps[] {
  return doctypes.map((d) => ({
    name: d.doctype,
    list: deskPaths.list(d.doctype),
    create: d.can_create ? deskPaths.create(d.doctype) : undefined,
    edit: `${deskPaths.list(d.doctype)}/:id`,
    show: `${deskPaths.list(d.doctype)}/:id`,
    meta: {
      label: d.label,
      module: d.module,
      titleField: d.title_field,
      isSubmittable: d.is_submittable,
      canCreate: d.can_create,
    },
  }));
}
