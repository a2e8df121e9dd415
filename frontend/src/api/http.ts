/**
 * The one way the Desk talks to the API: same-origin fetch with the session cookie, the CSRF
 * header on unsafe methods, and the API's error body turned into an ApiError.
 */
import { frameworkConfig } from "../config";

export interface FieldError {
  /** Path into the document, e.g. ["subject"] or ["comments", 2, "body"]. */
  loc: (string | number)[];
  msg: string;
  type?: string;
}

/** Refine's ValidationErrors shape: field path ("subject", "comments.2.body") -> messages. */
export type FieldErrorMap = Record<string, string[]>;

/**
 * An API failure. Compatible with Refine's HttpError (statusCode, message, errors) so Refine's
 * hooks, forms and notifications understand it; `statusCode` and `errors` are own properties
 * (not getters) because Refine copies errors around.
 */
export class ApiError extends Error {
  readonly status: number;
  /** The same as status, under Refine's HttpError name. */
  readonly statusCode: number;
  /** The API's error type: validation_error, version_conflict, permission_denied, ... */
  readonly type: string;
  readonly details: Record<string, unknown>;
  readonly requestId?: string;
  /** Refine's per-field errors, from the 422's field errors (empty for other errors). */
  readonly errors: FieldErrorMap;

  constructor(status: number, type: string, message: string, details: Record<string, unknown> | unknown[] | null = {}, requestId?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.statusCode = status;
    this.type = type;
    // Litestar reports a body that fails its schema as a bare list of {message, key}: keep it
    // under `errors` so `details` always stays an object.
    this.details = Array.isArray(details) ? { errors: details } : (details ?? {});
    this.requestId = requestId;
    this.errors = fieldErrorMap(this.fieldErrors);
  }

  /** Per-field errors of a 422 (details.errors), empty otherwise. */
  get fieldErrors(): FieldError[] {
    const errors = this.details["errors"];
    return Array.isArray(errors) ? errors.map(normalizeFieldError).filter((e): e is FieldError => e !== null) : [];
  }
}

/**
 * The API reports field errors as {loc: [...], msg, type}; a body rejected before the service
 * (Litestar's own validation) as {key: "comments.0.body", message}. Both become FieldError.
 */
function normalizeFieldError(raw: unknown): FieldError | null {
  if (!raw || typeof raw !== "object") return null;
  const item = raw as { loc?: unknown; msg?: unknown; type?: unknown; key?: unknown; message?: unknown };
  const msg = typeof item.msg === "string" ? item.msg : typeof item.message === "string" ? item.message : null;
  if (msg === null) return null;
  let loc: (string | number)[] = [];
  if (Array.isArray(item.loc)) loc = item.loc.filter((p): p is string | number => typeof p === "string" || typeof p === "number");
  else if (typeof item.key === "string" && item.key) loc = item.key.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { loc, msg, type: typeof item.type === "string" ? item.type : undefined };
}

function fieldErrorMap(errors: FieldError[]): FieldErrorMap {
  const map: FieldErrorMap = {};
  for (const error of errors) {
    const key = error.loc.join(".") || "_";
    (map[key] ??= []).push(error.msg);
  }
  return map;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(name: string): string | undefined {
  if (typeof document === "undefined") return undefined;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${frameworkConfig().apiBase}${path}${search ? `?${search}` : ""}`;
}

/** Calls the API; resolves to the parsed JSON (undefined for 204), rejects with ApiError. */
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json", ...(options.headers ?? {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) {
    const csrf = readCookie("fm_csrf");
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: "include",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "The server cannot be reached. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = undefined;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
  }
  if (!response.ok) {
    const error = (payload as { error?: { type?: string; message?: string; details?: Record<string, unknown> | unknown[] | null; request_id?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.type ?? `http_${response.status}`,
      error?.message ?? (response.statusText || `Request failed (${response.status})`),
      error?.details ?? {},
      error?.request_id ?? response.headers.get("X-Request-ID") ?? undefined,
    );
  }
  return payload as T;
}
