/**
 * Refine's DataProvider for Framework M's REST API (docs/api.md). A Refine resource is a
 * DocType name ("Ticket"); documents are addressed by their `id`. Errors are ApiError, which
 * is Refine-HttpError compatible (statusCode, message, errors per field).
 */
import type {
  BaseKey,
  BaseRecord,
  CrudFilter,
  CrudSort,
  CustomParams,
  DataProvider,
  LogicalFilter,
  MetaQuery,
  Pagination,
} from "@refinedev/core";
import { ApiError, api, type RequestOptions } from "../api/http";
import type { FilterTriple, ListResponse, Operator } from "../api/types";
import { frameworkConfig } from "../config";

const API = "/api/v1";

/** Options a page may pass in Refine's `meta` to the Framework M provider. */
export interface FrameworkMeta {
  /** Columns to fetch (the API's `fields`): smaller pages for lists. */
  fields?: string[];
  /** Free-text search: `searchField` contains q, ignoring case (`ilike`). */
  q?: string;
  /** The field `q` searches: the DocType's title field (default `name`). */
  searchField?: string;
  /** Ask for the exact total (a COUNT query; default true). Without it total is estimated. */
  withTotal?: boolean;
}

export function resourcePath(resource: string, id?: BaseKey): string {
  const base = `${API}/${encodeURIComponent(resource)}`;
  return id === undefined ? base : `${base}/${encodeURIComponent(String(id))}`;
}

/** Paths for `useCustomMutation` / `custom`: submit, cancel and whitelisted controller methods. */
export const customUrls = {
  submit: (doctype: string, id: BaseKey) => `${resourcePath(doctype, id)}/submit`,
  cancel: (doctype: string, id: BaseKey) => `${resourcePath(doctype, id)}/cancel`,
  rpc: (doctype: string, method: string) => `${API}/rpc/${encodeURIComponent(doctype)}/${encodeURIComponent(method)}`,
  rpcFunction: (dottedPath: string) => `${API}/rpc/fn/${encodeURIComponent(dottedPath)}`,
};

function unsupported(message: string): ApiError {
  // Reported like the server's own 400 for a query it cannot run, before any request.
  return new ApiError(400, "invalid_query", message);
}

const SIMPLE: Partial<Record<LogicalFilter["operator"], Operator>> = {
  eq: "=",
  eqs: "=",
  ne: "!=",
  nes: "!=",
  lt: "<",
  gt: ">",
  lte: "<=",
  gte: ">=",
  in: "in",
  nin: "not in",
};

/** The user's text inside an `ilike` pattern: `\`, `%` and `_` match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Text operators. Refine's plain ones ignore case: `ilike` (the same on SQLite and
 * PostgreSQL), with the text escaped. Its "s" variants are case-sensitive: the database's
 * `like`, which has no common escape, so the text goes as is.
 */
const LIKE: Partial<Record<LogicalFilter["operator"], [Operator, (v: string) => string]>> = {
  contains: ["ilike", (v) => `%${escapeLike(v)}%`],
  ncontains: ["not ilike", (v) => `%${escapeLike(v)}%`],
  startswith: ["ilike", (v) => `${escapeLike(v)}%`],
  nstartswith: ["not ilike", (v) => `${escapeLike(v)}%`],
  endswith: ["ilike", (v) => `%${escapeLike(v)}`],
  nendswith: ["not ilike", (v) => `%${escapeLike(v)}`],
  containss: ["like", (v) => `%${v}%`],
  ncontainss: ["not like", (v) => `%${v}%`],
  startswiths: ["like", (v) => `${v}%`],
  nstartswiths: ["not like", (v) => `${v}%`],
  endswiths: ["like", (v) => `%${v}`],
  nendswiths: ["not like", (v) => `%${v}`],
};

function toTriple(filter: LogicalFilter): FilterTriple | null {
  const { field, operator, value } = filter;
  // Refine leaves a cleared filter in place with an undefined value: it filters nothing.
  if (value === undefined) return null;
  const simple = SIMPLE[operator];
  if (simple) {
    if ((simple === "in" || simple === "not in") && !Array.isArray(value)) return [field, simple, [value]];
    return [field, simple, value];
  }
  const like = LIKE[operator];
  if (like) {
    if (value === null || value === "") return null;
    return [field, like[0], like[1](String(value))];
  }
  switch (operator) {
    case "between":
      if (!Array.isArray(value) || value.length !== 2) throw unsupported(`Filter "between" on ${field} needs two values`);
      return [field, "between", value];
    case "null":
      return [field, "is", "not set"];
    case "nnull":
      return [field, "is", "set"];
    default:
      throw unsupported(`The filter operator "${operator}" is not supported`);
  }
}

/** Refine filters as the API's `[[field, op, value], ...]`; "and" groups flatten, "or" is refused. */
export function toApiFilters(filters: CrudFilter[] | undefined): FilterTriple[] {
  const triples: FilterTriple[] = [];
  for (const filter of filters ?? []) {
    if (filter.operator === "and") {
      triples.push(...toApiFilters(filter.value));
    } else if (filter.operator === "or") {
      // The API ANDs its filters; an "or" of one condition is that condition.
      if (filter.value.length === 1) triples.push(...toApiFilters(filter.value));
      else if (filter.value.length > 1) throw unsupported('"or" filters are not supported by the API');
    } else if ("field" in filter) {
      const triple = toTriple(filter);
      if (triple) triples.push(triple);
    }
  }
  return triples;
}

/** Refine sorters as the API's `order_by` ("modified desc, name asc"). */
export function toOrderBy(sorters: CrudSort[] | undefined): string | undefined {
  const terms = (sorters ?? []).filter((s) => s.field).map((s) => `${s.field} ${s.order === "desc" ? "desc" : "asc"}`);
  return terms.length ? terms.join(", ") : undefined;
}

function frameworkMeta(meta: MetaQuery | undefined): FrameworkMeta {
  return (meta ?? {}) as FrameworkMeta;
}

/** The query string of a list request: exported for the tests and for CSV export links. */
export function listQuery(params: {
  pagination?: Pagination;
  sorters?: CrudSort[];
  filters?: CrudFilter[];
  meta?: MetaQuery;
}): Record<string, string | number | boolean | undefined> {
  const meta = frameworkMeta(params.meta);
  const filters = toApiFilters(params.filters);
  if (meta.q && meta.q.trim()) filters.push([meta.searchField || "name", "ilike", `%${escapeLike(meta.q.trim())}%`]);
  const query: Record<string, string | number | boolean | undefined> = {
    filters: filters.length ? JSON.stringify(filters) : undefined,
    order_by: toOrderBy(params.sorters),
    fields: meta.fields?.length ? meta.fields.join(",") : undefined,
    with_total: meta.withTotal === false ? undefined : true,
  };
  const mode = params.pagination?.mode ?? "server";
  if (mode === "server") {
    const pageSize = params.pagination?.pageSize ?? 10;
    const currentPage = params.pagination?.currentPage ?? 1;
    query.limit = pageSize;
    query.offset = (currentPage - 1) * pageSize;
  }
  return query;
}

function customPath(url: string): string {
  // Absolute URLs of another origin are not ours to call with the session cookie.
  if (/^[a-z]+:\/\//i.test(url)) {
    const base = frameworkConfig().apiBase;
    if (base && url.startsWith(base)) return url.slice(base.length);
    throw unsupported("custom() takes a path of this API, not another site's URL");
  }
  return url.startsWith("/") ? url : `${API}/${url}`;
}

export function createDataProvider(): DataProvider {
  return {
    getApiUrl: () => `${frameworkConfig().apiBase}${API}`,

    async getList<TData extends BaseRecord = BaseRecord>({ resource, pagination, sorters, filters, meta }: Parameters<DataProvider["getList"]>[0]) {
      const query = listQuery({ pagination, sorters, filters, meta });
      const page = await api<ListResponse<TData>>(resourcePath(resource), { query, signal: meta?.queryContext?.signal });
      // Without a count, say "at least what we have seen, plus one if there is more".
      const total = page.total ?? page.offset + page.data.length + (page.has_more ? 1 : 0);
      return { data: page.data, total, hasMore: page.has_more, nextCursor: page.next_cursor };
    },

    async getMany<TData extends BaseRecord = BaseRecord>({ resource, ids, meta }: Parameters<NonNullable<DataProvider["getMany"]>>[0]) {
      if (!ids.length) return { data: [] as TData[] };
      const fields = frameworkMeta(meta).fields;
      const page = await api<ListResponse<TData>>(resourcePath(resource), {
        query: { filters: JSON.stringify([["id", "in", ids]]), limit: ids.length, fields: fields?.length ? fields.join(",") : undefined },
        signal: meta?.queryContext?.signal,
      });
      return { data: page.data };
    },

    async getOne<TData extends BaseRecord = BaseRecord>({ resource, id, meta }: Parameters<DataProvider["getOne"]>[0]) {
      const fields = frameworkMeta(meta).fields;
      const data = await api<TData>(resourcePath(resource, id), {
        query: { fields: fields?.length ? fields.join(",") : undefined },
        signal: meta?.queryContext?.signal,
      });
      return { data };
    },

    async create<TData extends BaseRecord = BaseRecord, TVariables = object>({ resource, variables }: Parameters<DataProvider["create"]>[0] & { variables: TVariables }) {
      const data = await api<TData>(resourcePath(resource), { method: "POST", body: variables });
      return { data };
    },

    async update<TData extends BaseRecord = BaseRecord, TVariables = object>({ resource, id, variables }: Parameters<DataProvider["update"]>[0] & { variables: TVariables }) {
      // PUT merges the given fields; `_version` in the variables makes a stale save a 409.
      const data = await api<TData>(resourcePath(resource, id), { method: "PUT", body: variables });
      return { data };
    },

    async deleteOne<TData extends BaseRecord = BaseRecord>({ resource, id }: Parameters<DataProvider["deleteOne"]>[0]) {
      await api(resourcePath(resource, id), { method: "DELETE" });
      return { data: { id } as unknown as TData };
    },

    async deleteMany<TData extends BaseRecord = BaseRecord>({ resource, ids }: Parameters<NonNullable<DataProvider["deleteMany"]>>[0]) {
      const result = await api<{ ids?: BaseKey[] } | undefined>(`${resourcePath(resource)}/bulk/delete`, { method: "POST", body: { ids } });
      const deleted = result?.ids ?? ids;
      return { data: deleted.map((id) => ({ id })) as unknown as TData[] };
    },

    async custom<TData extends BaseRecord = BaseRecord>({ url, method, payload, query, headers, sorters, filters }: CustomParams) {
      const requestQuery: RequestOptions["query"] = {};
      for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
        if (value === undefined || value === null) continue;
        requestQuery[key] = typeof value === "object" ? JSON.stringify(value) : (value as string | number | boolean);
      }
      const apiFilters = toApiFilters(filters);
      if (apiFilters.length) requestQuery.filters = JSON.stringify(apiFilters);
      const orderBy = toOrderBy(sorters);
      if (orderBy) requestQuery.order_by = orderBy;
      const upper = method.toUpperCase();
      const data = await api<TData>(customPath(url), {
        method: upper,
        query: requestQuery,
        body: upper === "GET" || upper === "HEAD" ? undefined : (payload ?? {}),
        headers: headers as Record<string, string> | undefined,
      });
      return { data };
    },
  };
}

export const dataProvider = createDataProvider();
