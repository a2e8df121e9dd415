/**
 * Titles of linked documents for the rows on screen. A Link carries only an id; for each
 * target DocType the page's ids are resolved in one request
 * (GET /api/v1/<target>?filters=[["id","in",[...]]]&fields=id,name,<title>), under the
 * reader's own permissions: a target they may not read keeps showing ids.
 */
import { useQueries, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { ApiError, api } from "../api/http";
import { fetchDocTypeMeta, metaKeys } from "../api/meta";
import type { Doc, FieldMeta, ListResponse } from "../api/types";
import { fieldType } from "./columns";

/** target DocType -> id -> title */
export type LinkTitles = Record<string, Record<string, string>>;

/**
 * Ids per request: a UUID costs ~45 characters of percent-encoded `filters`, and the API takes
 * at most 8 KiB of them. A page of 500 rows may need a few requests per target.
 */
export const IDS_PER_REQUEST = 150;

/** Distinct ids per target DocType among the link columns of these rows (sorted, so the query key is stable). */
export function collectLinkIds(columns: readonly FieldMeta[], rows: readonly Doc[]): Map<string, string[]> {
  const byTarget = new Map<string, Set<string>>();
  for (const column of columns) {
    if (fieldType(column) !== "link" || !column.link_doctype) continue;
    let ids = byTarget.get(column.link_doctype);
    if (!ids) byTarget.set(column.link_doctype, (ids = new Set()));
    for (const row of rows) {
      const value = row[column.name];
      if (typeof value === "string" && value) ids.add(value);
    }
  }
  const result = new Map<string, string[]>();
  for (const [target, ids] of byTarget) if (ids.size) result.set(target, [...ids].sort());
  return result;
}

export async function fetchLinkTitles(queryClient: QueryClient, target: string, ids: readonly string[]): Promise<Record<string, string>> {
  try {
    const meta = await queryClient.fetchQuery({
      queryKey: metaKeys.doctype(target),
      queryFn: () => fetchDocTypeMeta(target),
      staleTime: Infinity,
    });
    const title = meta.title_field;
    const fields = ["id", "name", ...(title && title !== "name" ? [title] : [])];
    const titles: Record<string, string> = {};
    for (let start = 0; start < ids.length; start += IDS_PER_REQUEST) {
      const chunk = ids.slice(start, start + IDS_PER_REQUEST);
      const page = await api<ListResponse>(`/api/v1/${encodeURIComponent(target)}`, {
        query: { filters: JSON.stringify([["id", "in", chunk]]), fields: fields.join(","), limit: chunk.length },
      });
      for (const doc of page.data) {
        const text = (title ? doc[title] : undefined) ?? doc.name;
        if (typeof text === "string" && text) titles[doc.id] = text;
      }
    }
    return titles;
  } catch (error) {
    // Not allowed to read the target (or it is gone): the cells keep their ids.
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return {};
    throw error;
  }
}

export function linkTitlesKey(target: string, ids: readonly string[]) {
  return ["link-titles", target, ids] as const;
}

/** Titles for the link columns of `rows`, filled in as each target's request answers. */
export function useLinkTitles(columns: readonly FieldMeta[], rows: readonly Doc[], enabled = true): LinkTitles {
  const queryClient = useQueryClient();
  const wanted = useMemo(() => [...collectLinkIds(columns, rows)], [columns, rows]);
  const combine = useCallback(
    (results: { data?: Record<string, string> }[]): LinkTitles => {
      const titles: LinkTitles = {};
      wanted.forEach(([target], index) => {
        titles[target] = { ...(titles[target] ?? {}), ...(results[index]?.data ?? {}) };
      });
      return titles;
    },
    [wanted],
  );
  return useQueries({
    queries: wanted.map(([target, ids]) => ({
      queryKey: linkTitlesKey(target, ids),
      queryFn: () => fetchLinkTitles(queryClient, target, ids),
      enabled,
      staleTime: 60_000,
      retry: false,
    })),
    combine,
  });
}
