/**
 * The list's state in the URL query, so a list can be bookmarked, shared and reloaded:
 * page, pageSize, sort ("-modified" / "subject"), filters (the API's JSON triples), q, cols.
 * Defaults are left out of the URL.
 */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { SortingState } from "@tanstack/react-table";
import type { FilterTriple } from "../api/types";
import { parseFilters } from "./filters";

export const PAGE_SIZES = [20, 50, 100, 500] as const;
export const DEFAULT_PAGE_SIZE = 20;

export interface ListState {
  /** 1-based. */
  page: number;
  pageSize: number;
  /** One sort key at most (the API sorts by several, the UI by one). */
  sort: SortingState;
  filters: FilterTriple[];
  q: string;
  /** Chosen columns after the title column; null = the DocType's defaults. */
  cols: string[] | null;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseSort(raw: string | null): SortingState {
  if (!raw) return [];
  const desc = raw.startsWith("-");
  const id = desc ? raw.slice(1) : raw;
  return FIELD_NAME.test(id) ? [{ id, desc }] : [];
}

export function formatSort(sort: SortingState): string | null {
  const [first] = sort;
  return first ? `${first.desc ? "-" : ""}${first.id}` : null;
}

export function readListState(params: URLSearchParams): ListState {
  const page = Number(params.get("page"));
  const pageSize = Number(params.get("pageSize"));
  const cols = params.get("cols");
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    sort: parseSort(params.get("sort")),
    filters: parseFilters(params.get("filters")),
    q: params.get("q") ?? "",
    cols: cols === null ? null : cols.split(",").filter((name) => FIELD_NAME.test(name)),
  };
}

/** The state as query parameters; other parameters in `base` are kept. */
export function writeListState(state: ListState, base?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(base);
  const set = (key: string, value: string | null) => (value === null ? params.delete(key) : params.set(key, value));
  set("page", state.page > 1 ? String(state.page) : null);
  set("pageSize", state.pageSize !== DEFAULT_PAGE_SIZE ? String(state.pageSize) : null);
  set("sort", formatSort(state.sort));
  set("filters", state.filters.length ? JSON.stringify(state.filters) : null);
  set("q", state.q ? state.q : null);
  set("cols", state.cols === null ? null : state.cols.join(","));
  return params;
}

/** A change that narrows or reorders the list starts again on its first page. */
const RESETS_PAGE: (keyof ListState)[] = ["pageSize", "sort", "filters", "q"];

export function applyPatch(state: ListState, patch: Partial<ListState>): ListState {
  const next = { ...state, ...patch };
  if (patch.page === undefined && RESETS_PAGE.some((key) => key in patch)) next.page = 1;
  return next;
}

export type SetListState = (patch: Partial<ListState>, options?: { replace?: boolean }) => void;

export function useListState(): [ListState, SetListState] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readListState(params), [params]);
  const update = useCallback<SetListState>(
    (patch, options) => {
      setParams((current) => writeListState(applyPatch(readListState(current), patch), current), { replace: options?.replace });
    },
    [setParams],
  );
  return [state, update];
}
