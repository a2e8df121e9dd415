/** GET /api/v1/search: documents by name/title across the DocTypes the user may read. */
import { useQuery } from "@tanstack/react-query";
import { api } from "./http";
import type { SearchHit } from "./types";

export interface SearchOptions {
  /** Only this DocType (Link fields search their target). */
  doctype?: string;
  limit?: number;
  signal?: AbortSignal;
}

export function searchDocuments(q: string, { doctype, limit = 10, signal }: SearchOptions = {}): Promise<SearchHit[]> {
  return api<{ data: SearchHit[] }>("/api/v1/search", { query: { q, doctype, limit }, signal }).then((r) => r.data ?? []);
}

export const searchKeys = {
  all: ["search"] as const,
  query: (q: string, doctype: string | undefined, limit: number) => ["search", doctype ?? "", q, limit] as const,
};

/** Search results for `q` ("" = the most recently modified documents). */
export function useDocumentSearch(q: string, options: { doctype?: string; limit?: number; enabled?: boolean } = {}) {
  const limit = options.limit ?? 10;
  return useQuery({
    queryKey: searchKeys.query(q, options.doctype, limit),
    queryFn: ({ signal }) => searchDocuments(q, { doctype: options.doctype, limit, signal }),
    enabled: options.enabled ?? true,
    staleTime: 10_000,
    placeholderData: (previous) => previous,
  });
}

/** What a hit shows: its title, else its name, else its id. */
export function hitLabel(hit: SearchHit): string {
  return hit.title?.trim() || hit.name?.trim() || hit.id;
}
