import { describe, expect, it } from "vitest";
import type { DocTypeMeta } from "../api/types";
import { everythingMeta, fieldMeta, ticketMeta } from "./fixtures";
import { buildFormModel, changedFields, createPayload, fieldSchema, newDocumentValues, sameValue } from "./formModel";
import { placeServerErrors } from "./serverErrors";
import { validateValue } from "./validator";

describe("buildFormModel", () => {
  it("places fields in the layout's sections, then the rest in the metadata's order", () => {
    const model = buildFormModel(everythingMeta, false);
    expect(model.sections.map((s) => [s.label, s.fields])).toEqual([
      ["Main", ["title", "details", "secret", "count", "ratio", "price", "active", "status"]],
      ["When", ["day", "at", "clock", "data", "customer"]],
      ["Lines", ["lines"]],
      [undefined, ["code", "computed"]],
    ]);
    expect(model.sections[0].columnCount).toBe(2);
    expect(model.sections[1].collapsible).toBe(true);
    // "Lines" alone in the "Lines" section: the heading names it on screen.
    expect([...model.labelledBySection]).toEqual(["lines"]);
    // Read-only on an existing document, absent on a new one; hidden and standard fields never.
    expect(model.editable.has("computed")).toBe(false);
    expect(buildFormModel(everythingMeta, true).byName.has("computed")).toBe(false);
    for (const name of ["id", "internal", "owner", "modified", "_version", "name"]) expect(model.byName.has(name)).toBe(false);
  });

  it("takes explicit columns, skips unknown names and never places a field twice", () => {
    const meta: DocTypeMeta = {
      ...ticketMeta,
      layout: { sections: [{ label: "Two", columns: [["subject", "nope"], ["customer"]] }, { label: "Again", fields: ["subject", "priority"] }] },
    };
    const model = buildFormModel(meta, true);
    expect(model.sections[0]).toMatchObject({ columns: [["subject"], ["customer"]], columnCount: 2 });
    expect(model.sections[1].fields).toEqual(["priority"]);
    expect(model.sections[2].fields).toEqual(["description", "comments"]);
  });

  it("asks for the name when the DocType's naming is prompt", () => {
    const model = buildFormModel({ ...ticketMeta, naming: "prompt" }, true);
    expect(model.editable.has("name")).toBe(true);
    expect((model.schema.required as string[]).includes("name")).toBe(true);
    expect(buildFormModel({ ...ticketMeta, naming: "prompt" }, false).editable.has("name")).toBe(false);
  });
});

describe("fieldSchema and the validator", () => {
  it("keeps the simple constraints of Pydantic's schema, through an Optional's anyOf", () => {
    expect(fieldSchema(fieldMeta("n", "int", { schema: { anyOf: [{ type: "integer", minimum: 1, maximum: 9 }, { type: "null" }] } }))).toEqual({
      title: "N",
      type: ["integer", "null"],
      minimum: 1,
      maximum: 9,
    });
    // A Python-only regex is dropped rather than misread.
    expect(fieldSchema(fieldMeta("s", "data", { required: true, schema: { type: "string", pattern: "(?P<x>a)" } }))).toEqual({ title: "S", type: "string" });
  });

  it("validates types, enums, lengths, patterns, bounds and child rows", () => {
    const schema = buildFormModel(everythingMeta, true).schema;
    const errors = validateValue(schema, {
      title: "",
      count: 1.5,
      price: "12,50",
      status: "Maybe",
      customer: "c-1",
      lines: [{ item: "x", qty: "two" }, { qty: 1 }],
    });
    expect(errors.map((e) => [e.property, e.name])).toEqual([
      [".title", "required"],
      [".count", "type"],
      [".price", "pattern"],
      [".status", "enum"],
      [".lines.0.qty", "type"],
      [".lines.1.item", "required"],
    ]);
    expect(validateValue(schema, { title: "ok", customer: "c-1", price: "12.50", status: null, count: null, lines: [] })).toEqual([]);
  });
});

describe("values", () => {
  it("starts a new document with the schema defaults", () => {
    expect(newDocumentValues(everythingMeta)).toEqual({ active: false, status: "Open", lines: [] });
  });

  it("compares values with null and missing as the same, deeply", () => {
    expect(sameValue(undefined, null)).toBe(true);
    expect(sameValue({ a: [1, { b: null }] }, { a: [1, {}] })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue("1", 1)).toBe(false);
  });

  it("finds the editable fields that changed, and builds a create body without read-only ones", () => {
    const before = { id: "x", title: "A", count: 1, lines: [{ item: "a" }], computed: "c", _version: 3 };
    const after = { ...before, title: "B", lines: [{ item: "a" }, { item: "b" }], computed: "changed?", _version: 4 };
    expect(changedFields(everythingMeta, before, after)).toEqual({ title: "B", lines: [{ item: "a" }, { item: "b" }] });
    expect(createPayload(everythingMeta, { ...after, owner: "me" })).toEqual({ title: "B", count: 1, lines: [{ item: "a" }, { item: "b" }] });
  });
});

describe("placeServerErrors", () => {
  it("puts [field], [field, row, child] and ['body', field] at their fields and keeps the rest apart", () => {
    const model = buildFormModel(everythingMeta, false);
    const placed = placeServerErrors(
      [
        { loc: ["title"], msg: "taken" },
        { loc: ["lines", "2", "item"], msg: "bad item" },
        { loc: ["lines", 0], msg: "bad row" },
        { loc: ["body", "count"], msg: "too many" },
        { loc: [], msg: "whole document" },
        { loc: ["internal"], msg: "hidden field" },
      ],
      model,
    );
    expect(placed.errorSchema).toEqual({
      title: { __errors: ["taken"] },
      lines: { 2: { item: { __errors: ["bad item"] } }, __errors: ["bad row (row 1)"] },
      count: { __errors: ["too many"] },
    });
    expect(placed.unplaced).toEqual(["whole document", "hidden field"]);
  });
});
