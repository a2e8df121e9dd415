/**
 * The URL keeps filters in the API's own syntax (readable, and what docs/api.md shows); Refine's
 * useList takes CrudFilters, which the data provider turns back into the same triples.
 */
import type { CrudFilter, CrudSort, LogicalFilter } from "@refinedev/core";

type Operator = LogicalFilter["operator"];
import type { SortingState } from "@tanstack/react-table";
import type { FilterTriple } from "../api/types";
import { likeInner, unescapeLike } from "./filters";

const SIMPLE: Record<string, Operator> = {
  "=": "eq",
  "!=": "ne",
  ">": "gt",
  ">=": "gte",
  "<": "lt",
  "<=": "lte",
  in: "in",
  "not in": "nin",
  between: "between",
};

/**
 * Pattern filters as Refine says them: `ilike` %v% / v% / %v are contains / startswith /
 * endswith (the provider escapes the text again), `like` their case-sensitive "s" variants.
 */
function likeFilter(field: string, pattern: string, op: "like" | "not like" | "ilike" | "not ilike"): CrudFilter {
  const { inner, starts, ends } = likeInner(pattern);
  const negated = op.startsWith("not");
  const sensitive = !op.endsWith("ilike");
  const value = sensitive ? inner : unescapeLike(inner);
  let base: string;
  if (starts && ends) base = "contains";
  else if (ends) base = "startswith";
  else if (starts) base = "endswith";
  else return { field, operator: negated ? "ne" : "eq", value };
  const operator = `${negated ? "n" : ""}${base}${sensitive ? "s" : ""}` as Operator;
  return { field, operator, value };
}

export function toCrudFilters(triples: readonly FilterTriple[]): CrudFilter[] {
  return triples.map(([field, op, value]): CrudFilter => {
    if (op === "like" || op === "not like" || op === "ilike" || op === "not ilike") return likeFilter(field, String(value ?? ""), op);
    // Refine drops filters whose value is undefined: null/nnull carry `true`.
    if (op === "is") return { field, operator: value === "not set" ? "null" : "nnull", value: true };
    return { field, operator: SIMPLE[op] ?? "eq", value };
  });
}

export function toCrudSorters(sort: SortingState): CrudSort[] {
  return sort.map((key) => ({ field: key.id, order: key.desc ? "desc" : "asc" }));
}
