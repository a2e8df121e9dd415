/** Sidebar grouping: DocTypes by their module (the app that declares them), sorted by label. */
import type { DocTypeSummary } from "../api/types";

export interface DocTypeGroup {
  module: string;
  title: string;
  doctypes: DocTypeSummary[];
}

const OTHER = "other";

/** "helpdesk" -> "Helpdesk", "framework_m_standard" -> "Framework M Standard". */
export function moduleTitle(module: string): string {
  if (module === OTHER) return "Other";
  return module
    .split(/[._\s-]+/)
    .filter(Boolean)
    .map((word) => (word.length === 1 ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1)))
    .join(" ");
}

export function groupDocTypes(doctypes: DocTypeSummary[], search = ""): DocTypeGroup[] {
  const needle = search.trim().toLowerCase();
  const groups = new Map<string, DocTypeSummary[]>();
  for (const doctype of doctypes) {
    if (needle && !doctype.label.toLowerCase().includes(needle) && !doctype.doctype.toLowerCase().includes(needle)) continue;
    const module = doctype.module?.trim() || OTHER;
    const list = groups.get(module) ?? [];
    list.push(doctype);
    groups.set(module, list);
  }
  return [...groups.entries()]
    .map(([module, list]) => ({ module, title: moduleTitle(module), doctypes: list.sort((a, b) => a.label.localeCompare(b.label)) }))
    .sort((a, b) => (a.module === OTHER ? 1 : b.module === OTHER ? -1 : a.title.localeCompare(b.title)));
}
