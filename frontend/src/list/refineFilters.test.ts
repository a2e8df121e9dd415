import { describe, expect, it } from "vitest";
import { listQuery } from "../providers/dataProvider";
import type { FilterTriple } from "../api/types";
import { toCrudFilters, toCrudSorters } from "./refineFilters";

/** What the data provider sends for the URL's triples. */
function sent(triples: FilterTriple[]): unknown {
  return JSON.parse(String(listQuery({ filters: toCrudFilters(triples) }).filters));
}

describe("URL filters through Refine and the data provider", () => {
  it("arrive at the API as they are in the URL", () => {
    const triples: FilterTriple[] = [
      ["status", "=", "Open"],
      ["status", "!=", "Closed"],
      ["hours", ">", 1],
      ["hours", "<=", 8],
      ["priority", "in", ["High", "Urgent"]],
      ["priority", "not in", ["Low"]],
      ["due_on", "between", ["2026-01-01", "2026-02-01"]],
      ["subject", "ilike", "%50\\%\\_off%"],
      ["subject", "not ilike", "%spam%"],
      ["subject", "ilike", "VPN%"],
      ["subject", "like", "%Case%"],
      ["resolved_at", "is", "set"],
      ["assigned_to", "is", "not set"],
    ];
    expect(sent(triples)).toEqual(triples);
  });

  it("sorts by one key", () => {
    expect(toCrudSorters([{ id: "modified", desc: true }])).toEqual([{ field: "modified", order: "desc" }]);
    expect(toCrudSorters([])).toEqual([]);
  });
});
