import { describe, expect, it } from "vitest";
import { applyPatch, readListState, writeListState } from "./listState";

describe("list state in the URL", () => {
  it("reads every part, with defaults for what is missing or wrong", () => {
    const state = readListState(
      new URLSearchParams({ page: "3", pageSize: "50", sort: "-modified", filters: '[["status","=","Open"]]', q: "vpn", cols: "status,priority" }),
    );
    expect(state).toEqual({
      page: 3,
      pageSize: 50,
      sort: [{ id: "modified", desc: true }],
      filters: [["status", "=", "Open"]],
      q: "vpn",
      cols: ["status", "priority"],
    });
    expect(readListState(new URLSearchParams({ page: "-1", pageSize: "33", sort: "name; drop", filters: "[", cols: "a,b c" }))).toEqual({
      page: 1,
      pageSize: 20,
      sort: [],
      filters: [],
      q: "",
      cols: ["a"],
    });
  });

  it("writes only what differs from the defaults and keeps other parameters", () => {
    const params = writeListState(
      { page: 1, pageSize: 20, sort: [{ id: "subject", desc: false }], filters: [], q: "", cols: null },
      new URLSearchParams({ other: "kept", page: "4" }),
    );
    expect(params.toString()).toBe("other=kept&sort=subject");
    const round = readListState(writeListState({ page: 2, pageSize: 500, sort: [], filters: [["x", "ilike", "%a%"]], q: "a b", cols: [] }));
    expect(round).toEqual({ page: 2, pageSize: 500, sort: [], filters: [["x", "ilike", "%a%"]], q: "a b", cols: [] });
  });

  it("goes back to page 1 when the order, filters, search or page size change", () => {
    const state = readListState(new URLSearchParams({ page: "5" }));
    expect(applyPatch(state, { q: "x" }).page).toBe(1);
    expect(applyPatch(state, { filters: [] }).page).toBe(1);
    expect(applyPatch(state, { sort: [] }).page).toBe(1);
    expect(applyPatch(state, { pageSize: 100 }).page).toBe(1);
    expect(applyPatch(state, { cols: ["a"] }).page).toBe(5);
    expect(applyPatch(state, { page: 6 }).page).toBe(6);
  });
});
