import "../i18n";
import { Refine } from "@refinedev/core";
import { QueryClient } from "@tanstack/react-query";
import { act, configure, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Doc, DocTypeMeta } from "../api/types";
import { createDataProvider } from "../providers/dataProvider";
import ListView from "./ListView";
import { ticket, ticketMeta, tickets } from "./__fixtures__/ticketMeta";

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** A stand-in server: GET /api/meta/*, the Ticket list (with the query recorded), PUT and bulk delete. */
function installServer(options: { meta?: DocTypeMeta; rows?: Doc[]; total?: number; listStatus?: number; metaStatus?: number; put?: (body: Record<string, unknown>) => Response } = {}) {
  const seen: Seen[] = [];
  const meta = options.meta ?? ticketMeta();
  const rows = options.rows ?? [ticket(1), ticket(2), ticket(3)];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://desk.test");
    const method = (init?.method ?? "GET").toUpperCase();
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    seen.push({ method, path: url.pathname, query: url.searchParams, body });
    if (url.pathname === "/api/meta/Ticket") {
      return options.metaStatus ? json({ error: { type: "permission_denied", message: "Not permitted to read Ticket", details: {} } }, options.metaStatus) : json(meta);
    }
    if (url.pathname === "/api/meta/Customer") return json({ ...ticketMeta(), doctype: "Customer", label: "Customer", title_field: null });
    if (url.pathname === "/api/v1/Customer") return json({ data: [], total: null, limit: 1, offset: 0, has_more: false, next_cursor: null });
    if (url.pathname === "/api/v1/Ticket" && method === "GET") {
      if (options.listStatus) return json({ error: { type: "permission_denied", message: "Not permitted to read Ticket", details: {} } }, options.listStatus);
      const limit = Number(url.searchParams.get("limit"));
      const offset = Number(url.searchParams.get("offset"));
      const total = options.total ?? rows.length;
      return json({ data: rows.slice(0, limit), total: url.searchParams.get("with_total") ? total : null, limit, offset, has_more: offset + limit < total, next_cursor: null });
    }
    if (url.pathname === "/api/v1/Ticket/bulk/delete") return json({ count: (body as { ids: string[] }).ids.length, ids: (body as { ids: string[] }).ids });
    if (method === "PUT" && url.pathname.startsWith("/api/v1/Ticket/")) {
      if (options.put) return options.put(body as Record<string, unknown>);
      const id = decodeURIComponent(url.pathname.split("/").pop()!);
      const doc = rows.find((row) => row.id === id)!;
      return json({ ...doc, ...(body as object), _version: (doc._version ?? 0) + 1 });
    }
    return json({ error: { type: "not_found", message: `no ${url.pathname}`, details: {} } }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
  const lists = () => seen.filter((request) => request.method === "GET" && request.path === "/api/v1/Ticket");
  return { seen, lists };
}

// The whole page renders with Refine and a debounced search: give slow machines time.
configure({ asyncUtilTimeout: 5000 });

let currentSearch = "";
function LocationProbe() {
  const location = useLocation();
  currentSearch = location.search;
  return null;
}

function urlParams(): URLSearchParams {
  return new URLSearchParams(currentSearch);
}

function renderList(path = "/app/Ticket") {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Refine
        dataProvider={createDataProvider()}
        resources={[{ name: "Ticket", list: "/app/Ticket" }]}
        options={{ disableTelemetry: true, reactQuery: { clientConfig: queryClient } }}
      >
        <Routes>
          <Route path="/app/:doctype" element={<ListView />} />
        </Routes>
        <LocationProbe />
      </Refine>
    </MemoryRouter>,
  );
}

function dataRows(): HTMLElement[] {
  return within(screen.getByRole("grid", { name: "Ticket list" }))
    .getAllByRole("row")
    .filter((row) => row.getAttribute("aria-rowindex") !== "1");
}

const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeEach(() => {
  currentSearch = "";
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("autotable-scroll") ? 600 : 0;
    },
  });
});
afterEach(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, "clientHeight", clientHeight);
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

// Each test renders the whole page with Refine: slow on a busy machine.
describe("ListView", { timeout: 60_000 }, () => {
  it("opens a 10,000-document list with one page fetched in one request", async () => {
    const server = installServer({ rows: tickets(20), total: 10_000 });
    renderList();
    expect(await screen.findByRole("heading", { level: 1, name: "Ticket" })).toBeInTheDocument();
    await screen.findByRole("link", { name: "Ticket number 20" });
    expect(screen.getByRole("link", { name: "New Ticket" })).toHaveAttribute("href", "/app/Ticket/new");
    expect(screen.getByRole("searchbox", { name: "Search Ticket" })).toBeInTheDocument();
    expect(screen.getByRole("grid", { name: "Ticket list" })).toHaveAttribute("aria-rowcount", "10001");
    expect(screen.getByText("1–20 of 10,000")).toBeInTheDocument();
    // Let any stray request arrive before counting.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(server.lists()).toHaveLength(1);
    const [request] = server.lists();
    expect(request!.query.get("limit")).toBe("20");
    expect(request!.query.get("offset")).toBe("0");
    expect(request!.query.get("with_total")).toBe("true");
    expect(request!.query.get("filters")).toBeNull();
  });

  it("reads page, page size, sort, filters, search and columns from the URL into the request", async () => {
    const server = installServer();
    const filters = JSON.stringify([["status", "=", "Open"]]);
    renderList(`/app/Ticket?page=3&pageSize=50&sort=-priority&filters=${encodeURIComponent(filters)}&q=printer&cols=status,urgent`);
    await screen.findByRole("link", { name: "Ticket number 1" });
    const [request] = server.lists();
    expect(request!.query.get("limit")).toBe("50");
    expect(request!.query.get("offset")).toBe("100");
    expect(request!.query.get("order_by")).toBe("priority desc");
    expect(JSON.parse(request!.query.get("filters")!)).toEqual([
      ["status", "=", "Open"],
      ["subject", "ilike", "%printer%"],
    ]);
    expect(screen.getAllByRole("columnheader").map((header) => header.textContent?.trim())).toEqual(["", "Subject", "Status", "Urgent"]);
    // Sorted by a column that is not shown: no header claims the sort.
    expect(screen.getAllByRole("columnheader").filter((header) => header.hasAttribute("aria-sort"))).toEqual([]);
    expect(screen.getByRole("searchbox", { name: "Search Ticket" })).toHaveValue("printer");
    expect(screen.getByText(/Filtered by: Status equals Open/)).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Rows per page" })).toHaveValue("50");
  });

  it("writes paging, sorting and page size to the URL; a new order starts on page 1", async () => {
    const user = userEvent.setup();
    const server = installServer({ rows: tickets(20), total: 45 });
    renderList("/app/Ticket");
    await screen.findByRole("link", { name: "Ticket number 1" });

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(urlParams().get("page")).toBe("2");
    await waitFor(() => expect(server.lists().at(-1)!.query.get("offset")).toBe("20"));

    await user.click(screen.getByRole("button", { name: "Priority" }));
    expect(urlParams().get("sort")).toBe("priority");
    expect(urlParams().get("page")).toBeNull();
    await waitFor(() => expect(server.lists().at(-1)!.query.get("order_by")).toBe("priority asc"));
    expect(screen.getByRole("columnheader", { name: "Priority" })).toHaveAttribute("aria-sort", "ascending");

    await user.selectOptions(screen.getByRole("combobox", { name: "Rows per page" }), "100");
    expect(urlParams().get("pageSize")).toBe("100");
    await waitFor(() => expect(server.lists().at(-1)!.query.get("limit")).toBe("100"));
  });

  it("writes the search to the URL after typing stops and searches the title field", async () => {
    const user = userEvent.setup();
    const server = installServer();
    renderList("/app/Ticket?page=2");
    await screen.findByRole("link", { name: "Ticket number 1" });
    await user.type(screen.getByRole("searchbox", { name: "Search Ticket" }), "vpn");
    await waitFor(() => expect(urlParams().get("q")).toBe("vpn"));
    expect(urlParams().get("page")).toBeNull();
    await waitFor(() => expect(JSON.parse(server.lists().at(-1)!.query.get("filters")!)).toEqual([["subject", "ilike", "%vpn%"]]));
    // One request for the finished word, not one per keystroke.
    expect(server.lists().filter((request) => request.query.get("filters"))).toHaveLength(1);
  });

  it("writes applied filters to the URL as the API's JSON", async () => {
    const user = userEvent.setup();
    const server = installServer();
    renderList("/app/Ticket?q=vpn");
    await screen.findByRole("link", { name: "Ticket number 1" });
    await user.click(screen.getByRole("button", { name: "Filters" }));
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    await user.selectOptions(screen.getByRole("combobox", { name: "Field" }), "Priority");
    await user.selectOptions(screen.getByRole("combobox", { name: "Value" }), "High");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(JSON.parse(urlParams().get("filters")!)).toEqual([["priority", "=", "High"]]);
    await waitFor(() =>
      expect(JSON.parse(server.lists().at(-1)!.query.get("filters")!)).toEqual([
        ["priority", "=", "High"],
        ["subject", "ilike", "%vpn%"],
      ]),
    );
    expect(screen.queryByRole("button", { name: "Apply filters" })).not.toBeInTheDocument();
  });

  it("fetches only the shown columns, the title, the name and the version", async () => {
    const user = userEvent.setup();
    const server = installServer();
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    const asked = () => server.lists().at(-1)!.query.get("fields")!.split(",").sort();
    expect(asked()).toEqual(["_version", "customer", "name", "priority", "status", "subject"]);
    await user.click(screen.getByRole("button", { name: "Columns" }));
    await user.click(screen.getByRole("checkbox", { name: "Hours" }));
    await waitFor(() => expect(asked()).toContain("hours"));
  });

  it("writes the chosen columns to the URL", async () => {
    const user = userEvent.setup();
    installServer();
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    await user.click(screen.getByRole("button", { name: "Columns" }));
    await user.click(screen.getByRole("checkbox", { name: "Customer" }));
    await user.click(screen.getByRole("checkbox", { name: "Hours" }));
    expect(urlParams().get("cols")).toBe("status,priority,hours");
    expect(screen.getAllByRole("columnheader").map((header) => header.textContent?.trim())).toEqual(["", "Subject", "Status", "Priority", "Hours"]);
    await user.click(screen.getByRole("button", { name: "Restore defaults" }));
    expect(urlParams().get("cols")).toBeNull();
  });

  it("deletes the selected rows in one bulk request after confirmation", async () => {
    const user = userEvent.setup();
    const server = installServer();
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    expect(screen.getByRole("button", { name: "Delete selected" })).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "Select TKT-00001" }));
    await user.click(screen.getByRole("checkbox", { name: "Select TKT-00003" }));
    await user.click(screen.getByRole("button", { name: "Delete selected" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Delete 2 Ticket?");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(server.seen.some((request) => request.path === "/api/v1/Ticket/bulk/delete")).toBe(true));
    const request = server.seen.find((candidate) => candidate.path === "/api/v1/Ticket/bulk/delete")!;
    expect(request.method).toBe("POST");
    expect(request.body).toEqual({ ids: [ticket(1).id, ticket(3).id] });
    expect(await screen.findByText("Deleted 2 Ticket")).toBeInTheDocument();
    // The list is read again after the delete.
    await waitFor(() => expect(server.lists().length).toBeGreaterThan(1));
  });

  it("hides New and Delete selected without those permissions and edits nothing without write", async () => {
    const user = userEvent.setup();
    installServer({ meta: ticketMeta({ permissions: { read: true, write: false, create: false, delete: false, submit: false, cancel: false, amend: false } }) });
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    expect(screen.queryByRole("link", { name: "New Ticket" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete selected" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export CSV" })).toBeEnabled();
    await user.dblClick(within(dataRows()[0]!).getAllByRole("gridcell")[3]!);
    expect(screen.queryByRole("combobox", { name: "Status" })).not.toBeInTheDocument();
  });

  it("saves an inline edit with the row's _version and shows the saved value", async () => {
    const user = userEvent.setup();
    const server = installServer();
    renderList();
    await screen.findByRole("link", { name: "Ticket number 2" });
    // Columns: select, Subject, Customer, Status, Priority.
    await user.dblClick(within(dataRows()[1]!).getAllByRole("gridcell")[3]!);
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Closed");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByRole("combobox", { name: "Status" })).not.toBeInTheDocument());
    const put = server.seen.find((request) => request.method === "PUT")!;
    expect(put.path).toBe(`/api/v1/Ticket/${ticket(2).id}`);
    expect(put.body).toEqual({ status: "Closed", _version: 1 });
    expect(within(dataRows()[1]!).getAllByRole("gridcell")[3]).toHaveTextContent("Closed");
  });

  it("keeps the input and shows the server's message when an inline save is refused", async () => {
    const user = userEvent.setup();
    installServer({
      put: () =>
        new Response(
          JSON.stringify({ error: { type: "validation_error", message: "Invalid document", details: { errors: [{ loc: ["subject"], msg: "String should have at least 3 characters", type: "string_too_short" }] } } }),
          { status: 422 },
        ),
    });
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    const subjectCell = within(dataRows()[0]!).getAllByRole("gridcell")[1]!;
    // On the title cell focus sits on its link (Enter follows it); F2 edits.
    within(subjectCell).getByRole("link").focus();
    await user.keyboard("{F2}");
    const input = screen.getByRole("textbox", { name: "Subject" });
    await user.clear(input);
    await user.type(input, "ab{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("String should have at least 3 characters");
    expect(screen.getByRole("textbox", { name: "Subject" })).toHaveValue("ab");
  });

  it("exports the selected rows (or the page) as CSV", async () => {
    const user = userEvent.setup();
    installServer();
    const blobs: Blob[] = [];
    Object.assign(URL, { createObjectURL: (blob: Blob) => (blobs.push(blob), "blob:list"), revokeObjectURL: () => undefined });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderList();
    await screen.findByRole("link", { name: "Ticket number 1" });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await user.click(screen.getByRole("checkbox", { name: "Select TKT-00002" }));
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(click).toHaveBeenCalledTimes(2);
    const [page, selected] = await Promise.all(blobs.map((blob) => blob.text()));
    expect(page!.replace(/^\uFEFF/, "").split("\r\n")).toEqual([
      "ID,Subject,Customer,Status,Priority",
      ...[1, 2, 3].map((n) => `${ticket(n).id},Ticket number ${n},${ticket(n).customer},Open,Medium`),
      "",
    ]);
    expect(selected!.replace(/^\uFEFF/, "").split("\r\n")).toEqual(["ID,Subject,Customer,Status,Priority", `${ticket(2).id},Ticket number 2,${ticket(2).customer},Open,Medium`, ""]);
    click.mockRestore();
  });

  it("says so when there is nothing, and offers to clear filters when filters hide everything", async () => {
    installServer({ rows: [] });
    const { unmount } = renderList();
    expect(await screen.findByText("No Ticket yet.")).toBeInTheDocument();
    unmount();
    installServer({ rows: [] });
    renderList(`/app/Ticket?filters=${encodeURIComponent('[["status","=","Closed"]]')}`);
    expect(await screen.findByText("No Ticket matches these filters.")).toBeInTheDocument();
    await userEvent.click(screen.getAllByRole("button", { name: "Show all" })[0]!);
    expect(urlParams().get("filters")).toBeNull();
  });

  it("shows a permission message for a 403", async () => {
    installServer({ metaStatus: 403 });
    renderList();
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to read Ticket");
  });

  it("shows a permission message when the list itself is refused", async () => {
    installServer({ listStatus: 403 });
    renderList();
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have permission to read Ticket");
    expect(screen.queryByRole("grid")).not.toBeInTheDocument();
  });
});
