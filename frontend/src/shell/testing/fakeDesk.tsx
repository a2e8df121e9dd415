/**
 * A tiny stand-in for the Framework M server behind `fetch`, for shell tests: sessions,
 * /api/meta, /api/v1/search. Renders the real <App> (routes, Refine, providers) at a path.
 */
import { QueryClient } from "@tanstack/react-query";
import { configure, render } from "@testing-library/react";
import type { LiveProvider } from "@refinedev/core";
import { vi } from "vitest";
import { App } from "../../App";
import type { DocTypeSummary, SearchHit } from "../../api/types";
import { installFakeFetch, type FakeFetch, type RecordedRequest } from "../../providers/testing/fakeFetch";

// The whole app renders with Refine on a shared, busy machine: give it time.
configure({ asyncUtilTimeout: 5000 });
vi.setConfig({ testTimeout: 30_000 });

export const adminUser = {
  id: "u1",
  email: "ada@helpdesk.example",
  name: "Ada Admin",
  roles: ["System Manager"],
  teams: [],
  tenants: [],
  attributes: {},
  auth_method: "session",
};

export const sampleDocTypes: DocTypeSummary[] = [
  { doctype: "Ticket", label: "Ticket", module: "helpdesk", title_field: "subject", is_submittable: false, can_create: true },
  { doctype: "Customer", label: "Customer", module: "helpdesk", title_field: "customer_name", is_submittable: false, can_create: true },
  { doctype: "Contact", label: "Contact", module: "helpdesk", title_field: "full_name", is_submittable: false, can_create: false },
  { doctype: "User", label: "User", module: "framework_m_standard", title_field: null, is_submittable: false, can_create: true },
  { doctype: "Webhook", label: "Webhook", module: "framework_m_standard", title_field: null, is_submittable: false, can_create: true },
];

export const sampleHits: SearchHit[] = [
  { doctype: "Ticket", id: "t1", name: "TKT-0001", title: "Printer on fire", modified: new Date(Date.now() - 5 * 60_000).toISOString() },
  { doctype: "Customer", id: "c1", name: "CUST-1", title: "Acme Corp", modified: new Date(Date.now() - 3 * 3600_000).toISOString() },
  { doctype: "Ticket", id: "t2", name: "TKT-0002", title: null, modified: new Date(Date.now() - 2 * 86400_000).toISOString() },
];

export interface FakeDesk {
  fake: FakeFetch;
  state: { signedIn: boolean; doctypes: DocTypeSummary[]; hits: SearchHit[]; searchFails: boolean };
  requests: (path: string, method?: string) => RecordedRequest[];
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function apiError(status: number, type: string, message: string): Response {
  return json({ error: { type, message, details: null, request_id: "r" } }, status);
}

export function installFakeDesk(options: { signedIn?: boolean } = {}): FakeDesk {
  const fake = installFakeFetch();
  const state = { signedIn: options.signedIn ?? true, doctypes: sampleDocTypes, hits: sampleHits, searchFails: false };
  fake.fallback = (request) => {
    const route = `${request.method} ${request.path}`;
    if (route === "POST /api/v1/auth/login") {
      const body = request.body as { email?: string; password?: string };
      if (body.password !== "right-password") return apiError(401, "not_authenticated", "Invalid email or password");
      state.signedIn = true;
      return json({ user: adminUser, csrf_token: "tok" });
    }
    if (route === "POST /api/v1/auth/logout") {
      state.signedIn = false;
      return new Response(null, { status: 204 });
    }
    if (!state.signedIn) return apiError(401, "not_authenticated", "Not authenticated");
    if (route === "GET /api/v1/auth/me") return json(adminUser);
    if (route === "GET /api/meta") return json(state.doctypes);
    if (route === "GET /api/v1/search") {
      if (state.searchFails) return apiError(500, "internal_error", "boom");
      const q = (request.query.get("q") ?? "").toLowerCase();
      const limit = Number(request.query.get("limit") ?? 10);
      const hits = state.hits.filter((h) => !q || (h.title ?? h.name ?? "").toLowerCase().includes(q));
      return json({ data: hits.slice(0, limit) });
    }
    return apiError(404, "not_found", `No route ${route}`);
  };
  return {
    fake,
    state,
    requests: (path, method = "GET") => fake.requests.filter((r) => r.path === path && r.method === method),
  };
}

/** A live provider that never opens a socket (jsdom has no server to talk to). */
export const silentLiveProvider: LiveProvider = { subscribe: () => null, unsubscribe: () => undefined };

export function renderDesk(path: string) {
  window.history.replaceState(null, "", `/desk${path}`);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 }, mutations: { retry: false } } });
  return { queryClient, ...render(<App queryClient={queryClient} liveProvider={silentLiveProvider} />) };
}

/** What jsdom lacks and Radix (popper, menus) uses. */
export function installDomPolyfills(): void {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  vi.stubGlobal("ResizeObserver", globalThis.ResizeObserver ?? ResizeObserverStub);
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
  Element.prototype.hasPointerCapture ??= () => false;
  Element.prototype.releasePointerCapture ??= () => undefined;
  window.matchMedia ??= ((query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList) as typeof window.matchMedia;
}
