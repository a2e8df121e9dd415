import "../i18n";
import { Refine, type LiveEvent, type LiveProvider } from "@refinedev/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { createMemoryRouter, Link, Outlet, RouterProvider, useLocation } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DocTypeMeta } from "../api/types";
import { createDataProvider } from "../providers/dataProvider";
import FormView from "./FormView";
import { customerMeta, invoiceMeta, ticketMeta } from "./fixtures";
import { apiError, fakeApi, type Handler, type Recorded } from "./testing";
import { clearLinkTitles } from "./widgets/linkTitles";

vi.setConfig({ testTimeout: 60_000 });
// Waits too: a save and a navigation can take seconds while other helpers load the machine.
configure({ asyncUtilTimeout: 8000 });

type Doc = Record<string, unknown> & { id: string; _version: number };

/** An in-memory API for one DocType: versioned PUTs (409 when stale), submit/cancel, delete. */
function documentServer(meta: DocTypeMeta, docs: Doc[]) {
  const store = new Map(docs.map((d) => [d.id, structuredClone(d)]));
  let next = 100;
  const hooks: { beforePut?: (request: Recorded) => ReturnType<Handler> } = {};
  const base = `/api/v1/${meta.doctype}`;
  const handler: Handler = (request) => {
    if (request.path === `/api/meta/${meta.doctype}`) return { body: meta };
    if (request.path === "/api/meta/Customer") return { body: customerMeta };
    if (request.path === "/api/v1/search") {
      const q = (request.query.get("q") ?? "").toLowerCase();
      const all = [
        { doctype: "Customer", id: "c-1", name: "Initech", title: "Initech", modified: "2026-11-21T10:00:00Z" },
        { doctype: "Customer", id: "c-2", name: "Globex", title: "Globex", modified: "2026-11-21T10:00:00Z" },
      ];
      return { body: { data: all.filter((c) => c.title.toLowerCase().includes(q)) } };
    }
    const customer = /^\/api\/v1\/Customer\/(.+)$/.exec(request.path);
    if (customer) return { body: { id: customer[1], name: customer[1] === "c-1" ? "Initech" : "Globex", customer_name: customer[1] === "c-1" ? "Initech" : "Globex" } };
    if (request.path === base && request.method === "POST") {
      const body = request.body as Record<string, unknown>;
      if (!body["subject"] && !body["title"]) return apiError(422, "validation_error", "Validation failed", { errors: [{ loc: ["subject"], msg: "Field required" }] });
      const id = `new-${next++}`;
      const doc = { ...body, id, name: `TKT-${id}`, _version: 0, modified: "2026-11-21T12:00:00Z" } as Doc;
      store.set(id, doc);
      return { status: 201, body: doc };
    }
    const match = new RegExp(`^${base}/([^/]+)(?:/(submit|cancel))?$`).exec(request.path);
    if (!match) return undefined;
    const doc = store.get(match[1]);
    if (!doc) return apiError(404, "not_found", "Not found");
    if (match[2]) {
      doc["docstatus"] = match[2] === "submit" ? 1 : 2;
      doc._version += 1;
      return { body: doc };
    }
    if (request.method === "GET") return { body: doc };
    if (request.method === "DELETE") {
      store.delete(doc.id);
      return { status: 204 };
    }
    if (request.method === "PUT") {
      const early = hooks.beforePut?.(request);
      if (early) return early;
      const body = request.body as Record<string, unknown>;
      if (body["_version"] !== doc._version) return apiError(409, "version_conflict", "The document was changed by someone else", { current_version: doc._version });
      const { _version: _ignored, ...fields } = body;
      Object.assign(doc, fields, { _version: doc._version + 1, modified: "2026-11-21T13:00:00Z" });
      return { body: doc };
    }
    return undefined;
  };
  /** Someone else's save, straight into the store. */
  const theirSave = (id: string, fields: Record<string, unknown>) => {
    const doc = store.get(id) as Doc;
    Object.assign(doc, fields, { _version: doc._version + 1 });
    return structuredClone(doc);
  };
  return { handler, store, hooks, theirSave };
}

/** A LiveProvider the test drives by hand. */
function manualLive() {
  const subscriptions = new Set<{ channel: string; callback: (event: LiveEvent) => void }>();
  const provider: LiveProvider = {
    subscribe: ({ channel, callback }) => {
      const sub = { channel, callback };
      subscriptions.add(sub);
      return sub;
    },
    unsubscribe: (sub) => {
      subscriptions.delete(sub as { channel: string; callback: (event: LiveEvent) => void });
    },
  };
  const emit = (channel: string, event: Omit<LiveEvent, "channel" | "date">) => {
    act(() => {
      // Like the real provider: a DocType's events reach that DocType's document subscriptions.
      for (const sub of [...subscriptions]) if (sub.channel === channel || sub.channel.startsWith(`${channel}/`)) sub.callback({ ...event, channel, date: new Date() });
    });
  };
  return { provider, emit, subscriptions };
}

function ShowPath() {
  const location = useLocation();
  return <div data-testid="path">{location.pathname}</div>;
}

function Providers({ live, children }: { live: LiveProvider; children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <Refine
        dataProvider={createDataProvider()}
        liveProvider={live}
        resources={[{ name: "Ticket" }, { name: "Invoice" }]}
        options={{ liveMode: "auto", disableTelemetry: true, reactQuery: { clientConfig: client } }}
      >
        {children}
      </Refine>
    </QueryClientProvider>
  );
}

/** The form in a data router, as the Desk runs it, with a link away and the current path. */
function renderForm(path: string, live = manualLive()) {
  const router = createMemoryRouter(
    [
      {
        element: (
          <>
            <nav>
              <Link to="/app/Ticket">All tickets</Link>
            </nav>
            <Outlet />
            <ShowPath />
          </>
        ),
        children: [
          { path: "/app/:doctype", element: <h1>List page</h1> },
          { path: "/app/:doctype/new", element: <FormView /> },
          { path: "/app/:doctype/:id", element: <FormView /> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  render(
    <Providers live={live.provider}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return live;
}

const ticket = (extra: Partial<Doc> = {}): Doc => ({
  id: "t-1",
  name: "TKT-2026-00001",
  subject: "Printer on fire",
  description: "Smoke everywhere",
  customer: "c-1",
  priority: "High",
  comments: [{ id: "k-1", body: "First", internal: false, idx: 1 }],
  modified: "2026-11-21T11:00:00Z",
  _version: 1,
  ...extra,
});

beforeEach(() => clearLinkTitles());
afterEach(() => vi.unstubAllGlobals());

describe("FormView: create", () => {
  it("creates a document from the keyboard, goes to its page and says Saved", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, []);
    const { requests } = fakeApi(server.handler);
    renderForm("/app/Ticket/new");
    expect(await screen.findByRole("heading", { level: 1, name: "New Ticket" })).toBeInTheDocument();
    await user.click(screen.getByLabelText("Subject"));
    await user.keyboard("Toner low");
    await user.tab(); // to Customer
    expect(screen.getByRole("combobox", { name: "Customer" })).toHaveFocus();
    await user.keyboard("Glo");
    await screen.findByRole("option", { name: "Globex" });
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByRole("combobox", { name: "Customer" })).toHaveValue("Globex");
    await user.click(screen.getByRole("button", { name: "Add row" }));
    await user.keyboard("Please refill");
    await user.keyboard("{Control>}s{/Control}");
    await waitFor(() => expect(screen.getByTestId("path")).toHaveTextContent("/app/Ticket/new-100"));
    const post = requests.find((r) => r.method === "POST");
    expect(post?.body).toEqual({ subject: "Toner low", customer: "c-2", priority: "Medium", comments: [{ body: "Please refill", internal: false }] });
    expect(await screen.findByRole("heading", { level: 1, name: "Toner low" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Saved");
    // The created document came with the navigation and is shown at once; the hand-over is then
    // dropped from the history entry (a reload must read the server), which reads it once more.
    expect(requests.filter((r) => r.method === "GET" && r.path === "/api/v1/Ticket/new-100").length).toBeLessThanOrEqual(1);
  });

  it("does not send an invalid form, and shows the server's field errors", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, []);
    const { requests } = fakeApi(server.handler);
    renderForm("/app/Ticket/new");
    await screen.findByRole("heading", { level: 1, name: "New Ticket" });
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("Subject")).toHaveAccessibleDescription("This field is required"));
    expect(requests.some((r) => r.method === "POST")).toBe(false);
    // A field error only the server knows about.
    fakeApi((request) =>
      request.method === "POST" && request.path === "/api/v1/Ticket"
        ? apiError(422, "validation_error", "Validation failed", { errors: [{ loc: ["comments", 0, "body"], msg: "Too rude" }, { loc: ["subject"], msg: "Already reported" }] })
        : server.handler(request),
    );
    await user.type(screen.getByLabelText("Subject"), "Dup");
    await user.type(screen.getByRole("combobox", { name: "Customer" }), "Ini");
    await screen.findByRole("option", { name: "Initech" });
    await user.keyboard("{ArrowDown}{Enter}");
    await user.click(screen.getByRole("button", { name: "Add row" }));
    await user.keyboard("Rude words");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const subject = screen.getByLabelText("Subject");
    await waitFor(() => expect(subject).toHaveAccessibleDescription("Already reported"));
    expect(subject).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("textbox", { name: "Body row 1" })).toHaveAccessibleDescription("Too rude");
    expect(screen.getByRole("alert")).toHaveTextContent("Not saved: check the fields marked below.");
    expect(screen.getByTestId("path")).toHaveTextContent("/app/Ticket/new");
    // Changing the field clears its server error.
    await user.type(subject, "!");
    expect(subject).not.toHaveAttribute("aria-invalid");
  });
});

describe("FormView: edit", () => {
  it("loads the document, saves only the changed fields with _version, and says Saved", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, [ticket()]);
    const { requests } = fakeApi(server.handler);
    renderForm("/app/Ticket/t-1");
    expect(await screen.findByRole("heading", { level: 1, name: "Printer on fire" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Customer" })).toHaveValue("Initech"));
    const description = screen.getByLabelText("Description");
    await user.clear(description);
    await user.type(description, "Only a little smoke");
    expect(screen.getByText("Not saved")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Saved"));
    const put = requests.find((r) => r.method === "PUT");
    expect(put?.path).toBe("/api/v1/Ticket/t-1");
    expect(put?.body).toEqual({ description: "Only a little smoke", _version: 1 });
    expect(server.store.get("t-1")?._version).toBe(2);
    expect(screen.queryByText("Not saved")).toBeNull();
    // The next save goes with the new version.
    await user.type(description, "!");
    await user.keyboard("{Meta>}s{/Meta}");
    await waitFor(() => expect(requests.filter((r) => r.method === "PUT")).toHaveLength(2));
    expect(requests.filter((r) => r.method === "PUT")[1].body).toEqual({ description: "Only a little smoke!", _version: 2 });
  });

  it("says so when the document cannot be read", async () => {
    fakeApi(documentServer(ticketMeta, []).handler);
    renderForm("/app/Ticket/missing");
    expect(await screen.findByRole("alert")).toHaveTextContent("This document does not exist, or you do not have permission to read it.");
  });

  it("deletes after confirmation and goes to the list", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, [ticket()]);
    const { requests } = fakeApi(server.handler);
    renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    await user.click(screen.getByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete Printer on fire?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(requests.some((r) => r.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.getByTestId("path")).toHaveTextContent(/^\/app\/Ticket$/));
    expect(requests.some((r) => r.method === "DELETE" && r.path === "/api/v1/Ticket/t-1")).toBe(true);
    expect(server.store.has("t-1")).toBe(false);
  });
});

describe("FormView: a stale save (409)", () => {
  async function openAndEdit() {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, [ticket()]);
    const api = fakeApi(server.handler);
    renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    // They change the description while I change the subject.
    server.theirSave("t-1", { description: "Their description", priority: "Low" });
    const subject = screen.getByLabelText("Subject");
    await user.clear(subject);
    await user.type(subject, "My subject");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(/^Not saved: someone else saved this document after you opened it/);
    // My edit is still there, theirs is not shown yet.
    expect(subject).toHaveValue("My subject");
    expect(screen.getByLabelText("Description")).toHaveValue("Smoke everywhere");
    return { user, server, api, alert };
  }

  it("Save mine on top: re-reads, re-applies only my changed fields and saves with the new _version", async () => {
    const { user, server, api, alert } = await openAndEdit();
    await user.click(within(alert).getByRole("button", { name: "Save mine on top" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Saved"));
    const puts = api.requests.filter((r) => r.method === "PUT");
    expect(puts.map((p) => p.body)).toEqual([
      { subject: "My subject", _version: 1 },
      { subject: "My subject", _version: 2 },
    ]);
    expect(server.store.get("t-1")).toMatchObject({ subject: "My subject", description: "Their description", priority: "Low", _version: 3 });
    expect(screen.getByLabelText("Subject")).toHaveValue("My subject");
    expect(screen.getByLabelText("Description")).toHaveValue("Their description");
    expect(screen.getByRole("combobox", { name: "Priority" })).toHaveValue("Low");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("Reload theirs: discards my edits for the latest version", async () => {
    const { user, api, alert } = await openAndEdit();
    await user.click(within(alert).getByRole("button", { name: "Reload theirs" }));
    await waitFor(() => expect(screen.getByLabelText("Description")).toHaveValue("Their description"));
    expect(screen.getByLabelText("Subject")).toHaveValue("Printer on fire");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByText("Not saved")).toBeNull();
    expect(api.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });
});

describe("FormView: live changes", () => {
  it("shows a banner when someone else saves the open document; Reload keeps my edits on top", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, [ticket()]);
    fakeApi(server.handler);
    const live = renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    expect([...live.subscriptions].map((s) => s.channel)).toContain("resources/Ticket/t-1");
    await user.type(screen.getByLabelText("Subject"), " (urgent)");
    const theirs = server.theirSave("t-1", { description: "Fixed by them" });
    live.emit("resources/Ticket", { type: "updated", payload: { ids: ["t-1"], doc: theirs, version: theirs._version } });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(/^This document was changed by someone else/);
    // Nothing was overwritten behind my back.
    expect(screen.getByLabelText("Subject")).toHaveValue("Printer on fire (urgent)");
    expect(screen.getByLabelText("Description")).toHaveValue("Smoke everywhere");
    await user.click(within(alert).getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.getByLabelText("Description")).toHaveValue("Fixed by them"));
    expect(screen.getByLabelText("Subject")).toHaveValue("Printer on fire (urgent)");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("ignores the echo of my own save, even when it arrives before the save's answer", async () => {
    const user = userEvent.setup();
    const server = documentServer(ticketMeta, [ticket()]);
    fakeApi(server.handler);
    const live = renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    // The server publishes the event while the PUT's answer is still on its way.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.hooks.beforePut = () => {
      const doc = server.store.get("t-1") as Doc;
      const after = { ...doc, subject: "Echo", _version: doc._version + 1 };
      queueMicrotask(() => live.emit("resources/Ticket", { type: "updated", payload: { ids: ["t-1"], doc: after, version: after._version } }));
      return undefined;
    };
    const originalFetch = globalThis.fetch;
    vi.stubGlobal("fetch", async (...args: Parameters<typeof fetch>) => {
      const response = await originalFetch(...args);
      if ((args[1]?.method ?? "GET") === "PUT") await gate;
      return response;
    });
    const subject = screen.getByLabelText("Subject");
    await user.clear(subject);
    await user.type(subject, "Echo");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(server.store.get("t-1")?._version).toBe(2));
    release();
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Saved"));
    expect(screen.queryByRole("alert")).toBeNull();
    // An older or equal version later is no news either; a newer one is.
    live.emit("resources/Ticket", { type: "updated", payload: { ids: ["t-1"], version: 2 } });
    expect(screen.queryByRole("alert")).toBeNull();
    live.emit("resources/Ticket", { type: "updated", payload: { ids: ["t-1"], version: 3 } });
    expect(await screen.findByRole("alert")).toHaveTextContent(/^This document was changed by someone else/);
  });

  it("ignores events about other documents", async () => {
    const server = documentServer(ticketMeta, [ticket()]);
    fakeApi(server.handler);
    const live = renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    live.emit("resources/Ticket", { type: "updated", payload: { ids: ["t-2"], version: 9 } });
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("FormView: submittable documents", () => {
  it("submits after confirmation, then shows the document read-only with Cancel document", async () => {
    const user = userEvent.setup();
    const server = documentServer(invoiceMeta, [{ id: "i-1", title: "INV one", amount: "10.50", docstatus: 0, _version: 4 }]);
    const { requests } = fakeApi(server.handler);
    renderForm("/app/Invoice/i-1");
    await screen.findByRole("heading", { level: 1, name: "INV one" });
    expect(screen.getByText("Draft")).toBeInTheDocument();
    expect(screen.getByLabelText("Amount")).toHaveValue("10.50");
    await user.type(screen.getByLabelText("Title"), "!");
    expect(screen.getByRole("button", { name: "Submit" })).toBeDisabled(); // save first
    await user.keyboard("{Control>}s{/Control}");
    await waitFor(() => expect(screen.getByRole("button", { name: "Submit" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Submit" }));
    await user.click(within(await screen.findByRole("dialog", { name: "Submit INV one!?" })).getByRole("button", { name: "Submit" }));
    await waitFor(() => expect(screen.getByText("Submitted", { selector: ".badge" })).toBeInTheDocument());
    const submit = requests.find((r) => r.path === "/api/v1/Invoice/i-1/submit");
    expect(submit?.method).toBe("POST");
    expect(submit?.query.get("version")).toBe("5");
    expect(screen.getByLabelText("Title")).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Cancel document" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Cancel document" }));
    await waitFor(() => expect(screen.getByText("Cancelled", { selector: ".badge" })).toBeInTheDocument());
    expect(requests.some((r) => r.path === "/api/v1/Invoice/i-1/cancel")).toBe(true);
  });
});

describe("FormView: unsaved changes", () => {
  it("asks before leaving a changed form, and Stay keeps the edits", async () => {
    const user = userEvent.setup();
    fakeApi(documentServer(ticketMeta, [ticket()]).handler);
    renderForm("/app/Ticket/t-1");
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    // A clean form leaves without asking... after a change it asks.
    await user.type(screen.getByLabelText("Subject"), "!");
    await user.click(screen.getByRole("link", { name: "All tickets" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving?" });
    await user.click(within(dialog).getByRole("button", { name: "Stay" }));
    expect(screen.getByTestId("path")).toHaveTextContent("/app/Ticket/t-1");
    expect(screen.getByLabelText("Subject")).toHaveValue("Printer on fire!");
    await user.click(screen.getByRole("link", { name: "All tickets" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Leave" }));
    await waitFor(() => expect(screen.getByTestId("path")).toHaveTextContent(/^\/app\/Ticket$/));
  });

  it("asks in a data router too (useBlocker), and warns on unload", async () => {
    const user = userEvent.setup();
    fakeApi(documentServer(ticketMeta, [ticket()]).handler);
    const live = manualLive();
    const router = createMemoryRouter(
      [
        { path: "/app/:doctype", element: <h1>List page</h1> },
        {
          path: "/app/:doctype/:id",
          element: (
            <>
              <Link to="/app/Ticket">All tickets</Link>
              <FormView />
            </>
          ),
        },
      ],
      { initialEntries: ["/app/Ticket/t-1"] },
    );
    render(
      <Providers live={live.provider}>
        <RouterProvider router={router} />
      </Providers>,
    );
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    await user.click(screen.getByRole("link", { name: "All tickets" }));
    expect(await screen.findByRole("heading", { level: 1, name: "List page" })).toBeInTheDocument(); // clean: no question
    await act(() => router.navigate("/app/Ticket/t-1"));
    await screen.findByRole("heading", { level: 1, name: "Printer on fire" });
    await user.type(screen.getByLabelText("Subject"), "!");
    const unload = new Event("beforeunload", { cancelable: true });
    fireEvent(window, unload);
    expect(unload.defaultPrevented).toBe(true);
    await user.click(screen.getByRole("link", { name: "All tickets" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving?" });
    expect(router.state.location.pathname).toBe("/app/Ticket/t-1");
    await user.click(within(dialog).getByRole("button", { name: "Leave" }));
    expect(await screen.findByRole("heading", { level: 1, name: "List page" })).toBeInTheDocument();
  });
});
