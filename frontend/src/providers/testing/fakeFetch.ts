/**
 * A recording stand-in for `fetch` in unit tests: each call is kept (method, path, query,
 * headers, body) and answered by the next queued response. The e2e tests use the real server.
 */
import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeFetch {
  requests: RecordedRequest[];
  /** Queue a JSON answer (status 200 unless told). */
  reply(body: unknown, status?: number): void;
  /** Queue the API's error body. */
  replyError(status: number, type: string, message: string, details?: unknown): void;
  /** Queue a 204. */
  replyEmpty(): void;
  /** Every request after the queue runs dry gets this. */
  fallback: ((request: RecordedRequest) => Response) | null;
  restore(): void;
}

export function installFakeFetch(): FakeFetch {
  const queue: Array<() => Response> = [];
  const original = globalThis.fetch;
  const fake: FakeFetch = {
    requests: [],
    reply(body, status = 200) {
      queue.push(() => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
    },
    replyError(status, type, message, details = null) {
      queue.push(
        () =>
          new Response(JSON.stringify({ error: { type, message, details, request_id: "req-1" } }), {
            status,
            headers: { "Content-Type": "application/json" },
          }),
      );
    },
    replyEmpty() {
      queue.push(() => new Response(null, { status: 204 }));
    },
    fallback: null,
    restore() {
      globalThis.fetch = original;
    },
  };
  globalThis.fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://desk.test");
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: RecordedRequest = {
      method: (init?.method ?? "GET").toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    fake.requests.push(request);
    const next = queue.shift();
    if (next) return next();
    if (fake.fallback) return fake.fallback(request);
    throw new Error(`unexpected request ${request.method} ${request.path}`);
  }) as typeof fetch;
  return fake;
}
