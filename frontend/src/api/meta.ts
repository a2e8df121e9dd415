/** Metadata hooks: fetched once per DocType and kept (metadata changes only with a deploy). */
import { useQuery } from "@tanstack/react-query";
import { api } from "./http";
import type { DocTypeMeta, DocTypeSummary } from "./types";

export const metaKeys = {
  all: ["meta"] as const,
  list: () => ["meta", "list"] as const,
  doctype: (doctype: string) => ["meta", "doctype", doctype] as const,
};

export function fetchDocTypeMeta(doctype: string): Promise<DocTypeMeta> {
  return api<DocTypeMeta>(`/api/meta/${encodeURIComponent(doctype)}`);
}

export function fetchDocTypeList(): Promise<DocTypeSummary[]> {
  return api<DocTypeSummary[]>("/api/meta");
}

export function useDocTypeMeta(doctype: string | undefined) {
  return useQuery({
    queryKey: metaKeys.doctype(doctype ?? ""),
    queryFn: () => fetchDocTypeMeta(doctype as string),
    enabled: Boolean(doctype),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
}

export function useDocTypeList(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: metaKeys.list(),
    queryFn: fetchDocTypeList,
    enabled: options.enabled ?? true,
    staleTime: 5 * 60_000,
    retry: false,
  });
}
