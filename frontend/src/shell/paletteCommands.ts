/** The palette's static commands ("Go to X", "New X") filtered by what the user typed. */
import type { DocTypeSummary } from "../api/types";
import { deskPaths } from "../providers/resources";

export interface PaletteCommand {
  key: string;
  label: string;
  hint?: string;
  to: string;
}

type Translate = (key: string, options?: Record<string, unknown>) => string;

export function paletteCommands(doctypes: DocTypeSummary[], query: string, t: Translate, max = 30): PaletteCommand[] {
  const sorted = [...doctypes].sort((a, b) => a.label.localeCompare(b.label));
  const all: PaletteCommand[] = [
    ...sorted.map((d) => ({ key: `goto:${d.doctype}`, label: t("Go to {{label}}", { label: d.label }), to: deskPaths.list(d.doctype) })),
    ...sorted.filter((d) => d.can_create).map((d) => ({ key: `new:${d.doctype}`, label: t("New {{label}}", { label: d.label }), to: deskPaths.create(d.doctype) })),
  ];
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  // Every typed word must appear: "new tick" finds "New Ticket".
  const matches = words.length ? all.filter((c) => words.every((w) => c.label.toLowerCase().includes(w))) : all;
  return matches.slice(0, max);
}
