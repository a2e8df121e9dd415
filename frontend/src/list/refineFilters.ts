/**
 * The URL keeps filters in the API's own syntax (readable, and what docs/api.md shows); Refine's
 * useList takes CrudFilters, which the data provider turns back into the same triples.
 */
import type { CrudFilter, CrudSort, LogicalFilter } from "@refinedev/core";

type Operator = LogicalFilter["operator"];
import type { SortingState } from "@tanstack/react-table";
import type { FilterTriple } from "../api/types";

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

/** `like` patterns Refine can say: %v% contains, v% starts with, %v ends with. */
function likeFilter(field: string, pattern: string, negated: boolean): CrudFilter {
  const starts = pattern.startsWith("%");
  const ends = pattern.endsWith("%") && pattern.length > 1;
  const inner = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  let operator: Operator;
  if (starts && ends) operator = negated ? "ncontains" : "contains";
  else if (ends) operator = negated ? "nstartswith" : "startswith";
  else if (starts) operator = negated ? "nendswith" : "endswith";
  else operator = negated ? "ne" : "eq";
  return { field, operator, value: inner };
}

export function toCrudFilters(triples: readonly FilterTriple[]): CrudFilter[] {
  return triples.map(([field, op, value]): CrudFilter => {
    if (op === "like" || op === "not like") return likeFilter(field, String(value ?? ""), op === "not like");
    // Refine drops filters whose value is undefined: null/nnull carry `true`.
    if (op === "is") return { field, operator: value === "not set" ? "null" : "nnull", value: true };
    return { field, operator: SIMPLE[op] ?? "eq", value };
  });
}

export function toCrudSorters(sort: SortingState): CrudSort[] {
  return sort.map((key) => ({ field: key.id, order: key.desc ? "desc" : "asc" }));
}
