/**
 * Test helpers of the form tests: `fetch` replaced by a small in-memory API that answers like
 * the real one (JSON bodies, the error envelope) and records every request.
 */
import { vi } from "vitest";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (request: Recorded) => { status?: number; body?: unknown; delay?: number } | undefined;

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function apiError(status: number, type: string, message: string, details: unknown = {}) {
  return { status, body: { error: { type, message, details, request_id: "test" } } };
}

/** Replaces global fetch; handlers are tried in order, the first answer wins; unknown paths are 404. */
export function fakeApi(...handlers: Handler[]) {
  const requests: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, "http://localhost");
    const request: Recorded = {
      method: (init?.method ?? "GET").toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(request);
    for (const handler of handlers) {
      const answer = handler(request);
      if (answer) {
        if (answer.delay) await new Promise((resolve) => setTimeout(resolve, answer.delay));
        return json(answer.status ?? 200, answer.body);
      }
    }
    return json(404, { error: { type: "not_found", message: `No route for ${request.method} ${request.path}`, details: {}, request_id: "test" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { requests, fetchMock };
}
