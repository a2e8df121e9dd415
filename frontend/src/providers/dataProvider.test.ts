import type { CrudFilter } from "@refinedev/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { customUrls, dataProvider, listQuery, toApiFilters } from "./dataProvider";
import { installFakeFetch, type FakeFetch } from "./testing/fakeFetch";

let fake: FakeFetch;

beforeEach(() => {
  fake = installFakeFetch();
  document.cookie = "fm_csrf=csrf-token-1; path=/";
});

afterEach(() => {
  fake.restore();
  document.cookie = "fm_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
});

function page(data: object[], extra: object = {}) {
  return { data, total: 42, limit: 20, offset: 40, has_more: true, next_cursor: "c1", ...extra };
}

describe("getList", () => {
  it("sends pagination, sorting, fields and asks for the total", async () => {
    fake.reply(page([{ id: "a", name: "TKT-1" }]));
    await dataProvider.getList({
      resource: "Ticket",
      pagination: { currentPage: 3, pageSize: 20 },
      sorters: [
        { field: "modified", order: "desc" },
        { field: "name", order: "asc" },
      ],
      meta: { fields: ["id", "name", "subject"] },
    });
    const [request] = fake.requests;
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/api/v1/Ticket");
    expect(request.query.get("limit")).toBe("20");
    expect(request.query.get("offset")).toBe("40");
    expect(request.query.get("order_by")).toBe("modified desc, name asc");
    expect(request.query.get("fields")).toBe("id,name,subject");
    expect(request.query.get("with_total")).toBe("true");
    expect(request.query.has("filters")).toBe(false);
  });

  it("maps the response to {data, total} and keeps has_more and the cursor", async () => {
    fake.reply(page([{ id: "a" }, { id: "b" }]));
    const result = await dataProvider.getList({ resource: "Ticket" });
    expect(result.data).toEqual([{ id: "a" }, { id: "b" }]);
    expect(result.total).toBe(42);
    expect(result.hasMore).toBe(true);
    expect(result.nextCursor).toBe("c1");
  });

  it("estimates the total when the server did not count", async () => {
    fake.reply(page([{ id: "a" }, { id: "b" }], { total: null, offset: 20, has_more: true }));
    const result = await dataProvider.getList({ resource: "Ticket", meta: { withTotal: false } });
    expect(fake.requests[0].query.has("with_total")).toBe(false);
    expect(result.total).toBe(23);
  });

  it("defaults to the first page of 10 and omits paging when pagination is off", async () => {
    fake.reply(page([]));
    fake.reply(page([]));
    await dataProvider.getList({ resource: "Ticket" });
    await dataProvider.getList({ resource: "Ticket", pagination: { mode: "off" } });
    expect(fake.requests[0].query.get("limit")).toBe("10");
    expect(fake.requests[0].query.get("offset")).toBe("0");
    expect(fake.requests[1].query.has("limit")).toBe(false);
    expect(fake.requests[1].query.has("offset")).toBe(false);
  });

  it("sends filters as JSON triples and the search text as ilike on the search field", async () => {
    fake.reply(page([]));
    fake.reply(page([]));
    await dataProvider.getList({
      resource: "Ticket",
      filters: [{ field: "status", operator: "eq", value: "Open" }],
      meta: { q: " printer ", searchField: "subject" },
    });
    await dataProvider.getList({ resource: "Ticket", meta: { q: "100%" } });
    expect(JSON.parse(fake.requests[0].query.get("filters") ?? "")).toEqual([
      ["status", "=", "Open"],
      ["subject", "ilike", "%printer%"],
    ]);
    // Without a search field: the name; the user's % is literal.
    expect(JSON.parse(fake.requests[1].query.get("filters") ?? "")).toEqual([["name", "ilike", "%100\\%%"]]);
  });

  it("encodes the DocType in the path", async () => {
    fake.reply(page([]));
    await dataProvider.getList({ resource: "Sales Order" });
    expect(fake.requests[0].path).toBe("/api/v1/Sales%20Order");
  });
});

describe("filter operators", () => {
  const cases: Array<[CrudFilter, unknown[]]> = [
    [{ field: "status", operator: "eq", value: "Open" }, ["status", "=", "Open"]],
    [{ field: "status", operator: "ne", value: "Closed" }, ["status", "!=", "Closed"]],
    [{ field: "amount", operator: "lt", value: 5 }, ["amount", "<", 5]],
    [{ field: "amount", operator: "gt", value: 5 }, ["amount", ">", 5]],
    [{ field: "amount", operator: "lte", value: 5 }, ["amount", "<=", 5]],
    [{ field: "amount", operator: "gte", value: 5 }, ["amount", ">=", 5]],
    [{ field: "status", operator: "in", value: ["Open", "Pending"] }, ["status", "in", ["Open", "Pending"]]],
    [{ field: "status", operator: "in", value: "Open" }, ["status", "in", ["Open"]]],
    [{ field: "status", operator: "nin", value: ["Closed"] }, ["status", "not in", ["Closed"]]],
    [{ field: "subject", operator: "contains", value: "print" }, ["subject", "ilike", "%print%"]],
    [{ field: "subject", operator: "ncontains", value: "print" }, ["subject", "not ilike", "%print%"]],
    [{ field: "subject", operator: "startswith", value: "Re:" }, ["subject", "ilike", "Re:%"]],
    [{ field: "subject", operator: "nstartswith", value: "Re:" }, ["subject", "not ilike", "Re:%"]],
    [{ field: "subject", operator: "endswith", value: "?" }, ["subject", "ilike", "%?"]],
    [{ field: "subject", operator: "nendswith", value: "?" }, ["subject", "not ilike", "%?"]],
    [{ field: "subject", operator: "contains", value: "50%_off\\" }, ["subject", "ilike", "%50\\%\\_off\\\\%"]],
    [{ field: "subject", operator: "containss", value: "Print" }, ["subject", "like", "%Print%"]],
    [{ field: "subject", operator: "ncontainss", value: "Print" }, ["subject", "not like", "%Print%"]],
    [{ field: "subject", operator: "startswiths", value: "Re" }, ["subject", "like", "Re%"]],
    [{ field: "subject", operator: "nendswiths", value: "?" }, ["subject", "not like", "%?"]],
    [{ field: "opened", operator: "between", value: ["2026-01-01", "2026-02-01"] }, ["opened", "between", ["2026-01-01", "2026-02-01"]]],
    [{ field: "contact", operator: "null", value: true }, ["contact", "is", "not set"]],
    [{ field: "contact", operator: "nnull", value: true }, ["contact", "is", "set"]],
  ];

  it.each(cases)("%o becomes %o", (filter, triple) => {
    expect(toApiFilters([filter])).toEqual([triple]);
  });

  it("flattens and-groups and a one-condition or-group; skips cleared filters", () => {
    expect(
      toApiFilters([
        { operator: "and", value: [{ field: "a", operator: "eq", value: 1 }, { field: "b", operator: "gt", value: 2 }] },
        { operator: "or", value: [{ field: "c", operator: "ne", value: 3 }] },
        { field: "d", operator: "eq", value: undefined },
        { field: "e", operator: "contains", value: "" },
      ]),
    ).toEqual([
      ["a", "=", 1],
      ["b", ">", 2],
      ["c", "!=", 3],
    ]);
  });

  it("refuses what the API cannot express, as a 400 HttpError, without a request", async () => {
    const or: CrudFilter = { operator: "or", value: [{ field: "a", operator: "eq", value: 1 }, { field: "b", operator: "eq", value: 2 }] };
    await expect(dataProvider.getList({ resource: "Ticket", filters: [or] })).rejects.toMatchObject({ statusCode: 400 });
    expect(() => toApiFilters([{ field: "a", operator: "nbetween", value: [1, 2] }])).toThrow(ApiError);
    expect(() => toApiFilters([{ field: "a", operator: "between", value: [1] }])).toThrow(/two values/);
    expect(fake.requests).toHaveLength(0);
  });

  it("builds the same query string for exports", () => {
    const query = listQuery({ filters: [{ field: "status", operator: "eq", value: "Open" }], pagination: { mode: "off" } });
    expect(query.filters).toBe('[["status","=","Open"]]');
    expect(query.limit).toBeUndefined();
  });
});

describe("single documents and writes", () => {
  it("getOne reads the document by id", async () => {
    fake.reply({ id: "x/1", name: "TKT-1", _version: 2 });
    const result = await dataProvider.getOne({ resource: "Ticket", id: "x/1" });
    expect(fake.requests[0].path).toBe("/api/v1/Ticket/x%2F1");
    expect(result.data).toEqual({ id: "x/1", name: "TKT-1", _version: 2 });
  });

  it("getMany asks for the ids with an in filter", async () => {
    fake.reply(page([{ id: "a" }, { id: "b" }]));
    const result = await dataProvider.getMany!({ resource: "Ticket", ids: ["a", "b"] });
    expect(JSON.parse(fake.requests[0].query.get("filters") ?? "")).toEqual([["id", "in", ["a", "b"]]]);
    expect(fake.requests[0].query.get("limit")).toBe("2");
    expect(result.data).toHaveLength(2);
  });

  it("create POSTs with the CSRF header and returns the created document", async () => {
    fake.reply({ id: "new", subject: "Hi", _version: 1 }, 201);
    const result = await dataProvider.create({ resource: "Ticket", variables: { subject: "Hi" } });
    const [request] = fake.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/api/v1/Ticket");
    expect(request.headers["x-csrf-token"]).toBe("csrf-token-1");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual({ subject: "Hi" });
    expect(result.data).toEqual({ id: "new", subject: "Hi", _version: 1 });
  });

  it("update PUTs the variables with _version", async () => {
    fake.reply({ id: "t1", status: "Closed", _version: 4 });
    await dataProvider.update({ resource: "Ticket", id: "t1", variables: { status: "Closed", _version: 3 } });
    const [request] = fake.requests;
    expect(request.method).toBe("PUT");
    expect(request.path).toBe("/api/v1/Ticket/t1");
    expect(request.body).toEqual({ status: "Closed", _version: 3 });
    expect(request.headers["x-csrf-token"]).toBe("csrf-token-1");
  });

  it("deleteOne DELETEs; deleteMany posts the ids to bulk/delete", async () => {
    fake.replyEmpty();
    fake.reply({ count: 2, ids: ["a", "b"] });
    expect((await dataProvider.deleteOne({ resource: "Ticket", id: "t1" })).data).toEqual({ id: "t1" });
    const many = await dataProvider.deleteMany!({ resource: "Ticket", ids: ["a", "b"] });
    expect(fake.requests[0]).toMatchObject({ method: "DELETE", path: "/api/v1/Ticket/t1" });
    expect(fake.requests[0].headers["x-csrf-token"]).toBe("csrf-token-1");
    expect(fake.requests[1]).toMatchObject({ method: "POST", path: "/api/v1/Ticket/bulk/delete", body: { ids: ["a", "b"] } });
    expect(many.data).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("custom calls submit, rpc and GET paths", async () => {
    fake.reply({ id: "t1", docstatus: 1 });
    fake.reply({ result: 3 });
    fake.reply({ ok: true });
    await dataProvider.custom!({ url: customUrls.submit("Ticket", "t1"), method: "post" });
    await dataProvider.custom!({ url: customUrls.rpc("Ticket", "escalate"), method: "post", payload: { id: "t1", args: { level: 2 } } });
    await dataProvider.custom!({ url: "/api/v1/Ticket/count", method: "get", filters: [{ field: "status", operator: "eq", value: "Open" }] });
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/Ticket/t1/submit", body: {} });
    expect(fake.requests[0].headers["x-csrf-token"]).toBe("csrf-token-1");
    expect(fake.requests[1]).toMatchObject({ path: "/api/v1/rpc/Ticket/escalate", body: { id: "t1", args: { level: 2 } } });
    expect(fake.requests[2].method).toBe("GET");
    expect(fake.requests[2].headers["x-csrf-token"]).toBeUndefined();
    expect(fake.requests[2].body).toBeUndefined();
    expect(fake.requests[2].query.get("filters")).toBe('[["status","=","Open"]]');
  });

  it("reads send no CSRF header", async () => {
    fake.reply({ id: "t1" });
    await dataProvider.getOne({ resource: "Ticket", id: "t1" });
    expect(fake.requests[0].headers["x-csrf-token"]).toBeUndefined();
  });
});

describe("errors", () => {
  it("a 422 becomes an HttpError with errors per field (service shape)", async () => {
    fake.replyError(422, "validation_error", "Validation failed", {
      errors: [
        { loc: ["subject"], msg: "Field required", type: "missing" },
        { loc: ["comments", 1, "body"], msg: "Too long", type: "string_too_long" },
      ],
    });
    const error = await dataProvider.create({ resource: "Ticket", variables: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      statusCode: 422,
      message: "Validation failed",
      type: "validation_error",
      errors: { subject: ["Field required"], "comments.1.body": ["Too long"] },
    });
    expect((error as ApiError).fieldErrors[1].loc).toEqual(["comments", 1, "body"]);
  });

  it("a 422 from the body schema (a list of {key, message}) gives the same field errors", async () => {
    fake.replyError(422, "validation_error", "Validation failed", [
      { message: "Input should be 'Low' or 'High'", key: "priority" },
      { message: "Input should be a valid string", key: "comments.0.body" },
    ]);
    const error = (await dataProvider.update({ resource: "Ticket", id: "t1", variables: {} }).catch((e: unknown) => e)) as ApiError;
    expect(error.errors).toEqual({ priority: ["Input should be 'Low' or 'High'"], "comments.0.body": ["Input should be a valid string"] });
    expect(error.fieldErrors[1].loc).toEqual(["comments", 0, "body"]);
  });

  it("a 409 keeps its type and message; no field errors", async () => {
    fake.replyError(409, "version_conflict", "The document was changed", { current_version: 5 });
    const error = (await dataProvider.update({ resource: "Ticket", id: "t1", variables: { _version: 3 } }).catch((e: unknown) => e)) as ApiError;
    expect(error.statusCode).toBe(409);
    expect(error.type).toBe("version_conflict");
    expect(error.message).toBe("The document was changed");
    expect(error.details).toEqual({ current_version: 5 });
    expect(error.errors).toEqual({});
  });

  it("a network failure is a status-0 error with a readable message", async () => {
    fake.fallback = () => {
      throw new TypeError("Failed to fetch");
    };
    const error = (await dataProvider.getOne({ resource: "Ticket", id: "t1" }).catch((e: unknown) => e)) as ApiError;
    expect(error.statusCode).toBe(0);
    expect(error.message).toMatch(/cannot be reached/);
  });
});
