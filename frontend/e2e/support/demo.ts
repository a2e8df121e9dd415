/**
 * The helpdesk demo as the e2e tests see it: its logins (docs/examples/helpdesk/helpdesk/
 * demo_data.py), an API client per user for arranging data, and signing a browser in.
 */
import { request, type APIRequestContext, type Page } from "@playwright/test";

export interface DemoUser {
  email: string;
  password: string;
  name: string;
}

/** System Manager: reads everything, including the framework's DocTypes (User, Webhook, ...). */
export const ADMIN: DemoUser = { email: "admin@helpdesk.example", password: "admin-demo-pass", name: "Ada Admin" };
/** Support Manager in both teams. */
export const MANAGER: DemoUser = { email: "manager@helpdesk.example", password: "manager-demo-pass", name: "Morgan Manager" };
/** Support Agent, Technical team: reads Customer, Contact and Ticket only. */
export const AGENT: DemoUser = { email: "agent@helpdesk.example", password: "agent-demo-pass", name: "Alex Agent" };

/** Tickets global-setup imports, so a list of 10,000 documents exists. */
export const BULK_TICKETS = 10_000;

export interface TicketDoc {
  id: string;
  name: string;
  subject: string;
  customer: string;
  priority: string;
  status: string;
  team: string;
  assigned_to: string | null;
  description: string | null;
  _version: number;
  comments: { body: string; author: string | null; internal: boolean; idx?: number }[];
  [field: string]: unknown;
}

/** Something unique to find a test's own document by. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Every request the tests send themselves asks for its own connection: the server closes an idle
 * keep-alive connection after a few seconds, and a request that races that close on a reused
 * socket fails with ECONNRESET (browsers retry such a request; Node's client does not).
 */
const FRESH_CONNECTION = { Connection: "close" };

/** An API client signed in as `user` with a bearer token (no cookie, so no CSRF header needed). */
export async function apiAs(user: DemoUser): Promise<Api> {
  const baseURL = process.env.E2E_BASE_URL!;
  const anonymous = await request.newContext({ baseURL, extraHTTPHeaders: FRESH_CONNECTION });
  const login = await anonymous.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
  if (!login.ok()) throw new Error(`login of ${user.email} failed: ${login.status()} ${await login.text()}`);
  const token = (await login.json()).access_token as string;
  await anonymous.dispose();
  return new Api(await request.newContext({ baseURL, extraHTTPHeaders: { ...FRESH_CONNECTION, Authorization: `Bearer ${token}` } }));
}

export class Api {
  constructor(readonly http: APIRequestContext) {}

  async json<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, data?: unknown): Promise<T> {
    const response = await this.http.fetch(path, { method, data });
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
    return (response.status() === 204 ? undefined : await response.json()) as T;
  }

  async customerId(name: string): Promise<string> {
    const filters = encodeURIComponent(JSON.stringify([["customer_name", "=", name]]));
    const found = await this.json<{ data: { id: string }[] }>("GET", `/api/v1/Customer?filters=${filters}&fields=id`);
    if (!found.data.length) throw new Error(`no Customer ${name}`);
    return found.data[0].id;
  }

  async createTicket(values: Partial<TicketDoc> & { subject: string }): Promise<TicketDoc> {
    const customer = values.customer ?? (await this.customerId("Globex"));
    return this.json<TicketDoc>("POST", "/api/v1/Ticket", { team: "Technical", ...values, customer });
  }

  getTicket(id: string): Promise<TicketDoc> {
    return this.json<TicketDoc>("GET", `/api/v1/Ticket/${id}`);
  }

  async findTicket(subject: string): Promise<TicketDoc | undefined> {
    const filters = encodeURIComponent(JSON.stringify([["subject", "=", subject]]));
    const found = await this.json<{ data: TicketDoc[] }>("GET", `/api/v1/Ticket?filters=${filters}`);
    return found.data[0] ? this.getTicket(found.data[0].id) : undefined;
  }

  updateTicket(id: string, values: Partial<TicketDoc>): Promise<TicketDoc> {
    return this.json<TicketDoc>("PUT", `/api/v1/Ticket/${id}`, values);
  }

  dispose(): Promise<void> {
    return this.http.dispose();
  }
}

/**
 * Signs the page's browser context in through the API (the session and CSRF cookies land in
 * the context). The login page itself is tested once, in workflow.spec.ts.
 */
export async function signIn(page: Page, user: DemoUser): Promise<void> {
  const response = await page.request.post("/api/v1/auth/login", {
    data: { email: user.email, password: user.password },
    headers: FRESH_CONNECTION,
  });
  if (!response.ok()) throw new Error(`login of ${user.email} failed: ${response.status()}`);
}

/** The status of a GET with the page's session (its cookies), as the API answers it. */
export async function statusOf(page: Page, path: string): Promise<number> {
  return (await page.request.get(path, { headers: FRESH_CONNECTION })).status();
}
