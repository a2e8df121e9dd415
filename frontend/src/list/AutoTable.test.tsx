import "../i18n";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, configure, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState, type ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/http";
import type { Doc } from "../api/types";
import { AutoTable, type AutoTableProps, type RowSelectionState, type SortingState } from "./AutoTable";
import { ticket, ticketMeta, tickets } from "./__fixtures__/ticketMeta";

// Rendering is slow on a busy machine (these run beside other test suites): no timing here is asserted.
vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5000 });

function renderWithProviders(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

function renderTable(props: Partial<AutoTableProps> = {}) {
  return renderWithProviders(<AutoTable meta={ticketMeta()} rows={[ticket(1), ticket(2)]} linkTitles={{}} {...props} />);
}

function dataRows(): HTMLElement[] {
  const grid = screen.getByRole("grid", { name: "Ticket list" });
  return within(grid).getAllByRole("row").filter((row) => row.getAttribute("aria-rowindex") !== "1");
}

// jsdom lays nothing out: give the scrolling area a height so the virtualizer has a window.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeEach(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("autotable-scroll") ? 400 : 0;
    },
  });
});
afterEach(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, "clientHeight", clientHeight);
  vi.unstubAllGlobals();
});

describe("columns", () => {
  it("are the title column then the DocType's list_fields, labelled from the metadata", () => {
    renderTable();
    const headers = screen.getAllByRole("columnheader").map((header) => header.textContent?.trim());
    expect(headers).toEqual(["Subject", "Customer", "Status", "Priority"]);
  });

  it("follow the chosen columns, the title column always first", () => {
    renderTable({ columns: ["amount", "urgent", "due_on", "comments", "nope"] });
    const headers = screen.getAllByRole("columnheader").map((header) => header.textContent?.trim());
    // The child table and the unknown field are not columns.
    expect(headers).toEqual(["Subject", "Amount", "Urgent", "Due on"]);
  });

  it("render each field type: link to the form, check, select badge, localised date and amount", () => {
    renderTable({ columns: ["status", "urgent", "due_on", "amount", "visits"], rows: [ticket(7, { urgent: true })] });
    const [row] = dataRows();
    const cells = within(row!).getAllByRole("gridcell");
    const title = within(cells[0]!).getByRole("link", { name: "Ticket number 7" });
    expect(title).toHaveAttribute("href", "/app/Ticket/00000000-0000-4000-8000-000000000007");
    expect(within(cells[1]!).getByText("Open")).toHaveClass("badge");
    expect(cells[2]).toHaveTextContent("Yes");
    expect(cells[3]!.querySelector("time")).toHaveAttribute("dateTime", "2026-12-01");
    expect(cells[3]).toHaveTextContent(new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(new Date(2026, 11, 1)));
    expect(cells[4]).toHaveTextContent("1,234.50");
    expect(cells[5]).toHaveTextContent(/^3$/);
  });

  it("shows a link's id until its title is resolved with one request per target DocType", async () => {
    const requests: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), "http://desk.test");
        requests.push(url.pathname + url.search);
        const body =
          url.pathname === "/api/meta/Customer"
            ? { ...ticketMeta(), doctype: "Customer", label: "Customer", title_field: "customer_name" }
            : { data: [{ id: "c0000000-0000-4000-8000-000000000001", name: "ACME", customer_name: "Acme Corp" }], total: null, limit: 1, offset: 0, has_more: false, next_cursor: null };
        return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
      }),
    );
    renderWithProviders(<AutoTable meta={ticketMeta()} rows={[ticket(1), ticket(2)]} />);
    const [first] = dataRows();
    expect(within(first!).getAllByRole("gridcell")[1]).toHaveTextContent("c0000000-0000-4000-8000-000000000001");
    await waitFor(() => expect(within(dataRows()[0]!).getAllByRole("gridcell")[1]).toHaveTextContent("Acme Corp"));
    const lists = requests.filter((path) => path.startsWith("/api/v1/Customer"));
    expect(lists).toHaveLength(1);
    const query = new URL(lists[0]!, "http://desk.test").searchParams;
    expect(JSON.parse(query.get("filters")!)).toEqual([["id", "in", ["c0000000-0000-4000-8000-000000000001"]]]);
    expect(query.get("fields")).toBe("id,name,customer_name");
    expect(within(dataRows()[0]!).getByRole("link", { name: "Acme Corp" })).toHaveAttribute(
      "href",
      "/app/Customer/c0000000-0000-4000-8000-000000000001",
    );
  });
});

describe("sorting", () => {
  it("calls back with the clicked column, ascending then descending, and marks the sorted header", async () => {
    const user = userEvent.setup();
    const onSortingChange = vi.fn();
    const { rerender } = renderTable({ sorting: [], onSortingChange });
    await user.click(screen.getByRole("button", { name: "Status" }));
    expect(onSortingChange).toHaveBeenLastCalledWith([{ id: "status", desc: false }]);

    const ascending: SortingState = [{ id: "status", desc: false }];
    rerender(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <AutoTable meta={ticketMeta()} rows={[ticket(1)]} linkTitles={{}} sorting={ascending} onSortingChange={onSortingChange} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.getByRole("columnheader", { name: "Status" })).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByRole("button", { name: "Status" }));
    expect(onSortingChange).toHaveBeenLastCalledWith([{ id: "status", desc: true }]);
  });

  it("offers no sort buttons without onSortingChange", () => {
    renderTable();
    expect(screen.queryByRole("button", { name: "Status" })).not.toBeInTheDocument();
  });
});

describe("selection", () => {
  function Selectable({ onChange }: { onChange: (selection: RowSelectionState) => void }) {
    const [selection, setSelection] = useState<RowSelectionState>({});
    return (
      <AutoTable
        meta={ticketMeta()}
        rows={[ticket(1), ticket(2), ticket(3)]}
        linkTitles={{}}
        rowSelection={selection}
        onRowSelectionChange={(next) => {
          setSelection(next);
          onChange(next);
        }}
      />
    );
  }

  it("selects rows by their checkbox and all rows from the header", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    renderWithProviders(<Selectable onChange={onChange} />);
    await user.click(screen.getByRole("checkbox", { name: "Select TKT-00002" }));
    expect(onChange).toHaveBeenLastCalledWith({ [ticket(2).id]: true });
    expect(screen.getByRole("checkbox", { name: "Select TKT-00002" })).toBeChecked();
    expect(dataRows()[1]).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("checkbox", { name: "Select all rows" })).toHaveProperty("indeterminate", true);

    await user.click(screen.getByRole("checkbox", { name: "Select all rows" }));
    expect(onChange).toHaveBeenLastCalledWith({ [ticket(1).id]: true, [ticket(2).id]: true, [ticket(3).id]: true });
    await user.click(screen.getByRole("checkbox", { name: "Select all rows" }));
    expect(onChange).toHaveBeenLastCalledWith({});
  });
});

describe("inline edit", () => {
  function Editable({ onCellSave }: { onCellSave: AutoTableProps["onCellSave"] }) {
    const [rows, setRows] = useState<Doc[]>([ticket(1), ticket(2)]);
    return (
      <AutoTable
        meta={ticketMeta()}
        rows={rows}
        columns={["status", "visits"]}
        linkTitles={{}}
        onCellSave={async (row, field, value) => {
          await onCellSave!(row, field, value);
          setRows((current) => current.map((doc) => (doc.id === row.id ? { ...doc, [field]: value } : doc)));
        }}
      />
    );
  }

  function cell(rowIndex: number, col: number): HTMLElement {
    return within(dataRows()[rowIndex]!).getAllByRole("gridcell")[col]!;
  }

  it("double-click opens an input labelled by the column; Enter saves through onCellSave", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(<Editable onCellSave={onCellSave} />);
    await user.dblClick(cell(1, 1));
    const select = screen.getByRole("combobox", { name: "Status" });
    expect(select).toHaveFocus();
    await user.selectOptions(select, "Closed");
    await user.keyboard("{Enter}");
    expect(onCellSave).toHaveBeenCalledWith(expect.objectContaining({ id: ticket(2).id }), "status", "Closed");
    await waitFor(() => expect(screen.queryByRole("combobox", { name: "Status" })).not.toBeInTheDocument());
    expect(cell(1, 1)).toHaveTextContent("Closed");
    expect(cell(1, 1)).toHaveFocus();
  });

  it("a refused save shows the server's message for the field in role=alert and keeps the input", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn().mockRejectedValue(
      new ApiError(422, "validation_error", "Invalid document", {
        errors: [
          { loc: ["subject"], msg: "Something else", type: "x" },
          { loc: ["visits"], msg: "Input should be less than 100", type: "less_than" },
        ],
      }),
    );
    renderWithProviders(<Editable onCellSave={onCellSave} />);
    await user.dblClick(cell(0, 2));
    const input = screen.getByRole("spinbutton", { name: "Visits" });
    await user.clear(input);
    await user.type(input, "500{Enter}");
    expect(onCellSave).toHaveBeenCalledWith(expect.objectContaining({ id: ticket(1).id }), "visits", 500);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Input should be less than 100");
    expect(input).toBeInTheDocument();
    expect(input).toHaveValue(500);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("Input should be less than 100");
    expect(cell(0, 2)).toContainElement(alert);
  });

  it("leaving the input saves; a value the field cannot hold is refused before any request", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(<Editable onCellSave={onCellSave} />);
    await user.dblClick(cell(0, 2));
    const input = screen.getByRole("spinbutton", { name: "Visits" });
    await user.clear(input);
    await user.type(input, "2.5{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Enter a whole number");
    expect(onCellSave).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, "7");
    await user.click(document.body);
    await waitFor(() => expect(onCellSave).toHaveBeenCalledWith(expect.anything(), "visits", 7));
    await waitFor(() => expect(cell(0, 2)).toHaveTextContent(/^7$/));
  });

  it("Escape cancels without saving and gives focus back to the cell", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn();
    renderWithProviders(<Editable onCellSave={onCellSave} />);
    await user.dblClick(cell(0, 1));
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Closed");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("combobox", { name: "Status" })).not.toBeInTheDocument();
    expect(onCellSave).not.toHaveBeenCalled();
    expect(cell(0, 1)).toHaveTextContent("Open");
    expect(cell(0, 1)).toHaveFocus();
  });

  it("needs write permission and an editable field type", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn();
    const meta = ticketMeta({ permissions: { ...ticketMeta().permissions, write: false } });
    renderWithProviders(<AutoTable meta={meta} rows={[ticket(1)]} columns={["status"]} linkTitles={{}} onCellSave={onCellSave} />);
    await user.dblClick(within(dataRows()[0]!).getAllByRole("gridcell")[1]!);
    expect(screen.queryByRole("combobox", { name: "Status" })).not.toBeInTheDocument();
  });
});

describe("keyboard", () => {
  it("has one tab stop; arrow keys move between cells and Enter edits the focused cell", async () => {
    const user = userEvent.setup();
    const onCellSave = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(
      <>
        <button type="button">before</button>
        <AutoTable meta={ticketMeta()} rows={[ticket(1), ticket(2)]} columns={["status", "visits"]} linkTitles={{}} onCellSave={onCellSave} sorting={[]} onSortingChange={vi.fn()} />
      </>,
    );
    await user.click(screen.getByRole("button", { name: "before" }));
    await user.tab();
    // The grid's single tab stop starts on the first column header.
    expect(screen.getByRole("button", { name: "Subject" })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("link", { name: "Ticket number 1" })).toHaveFocus();
    await user.keyboard("{ArrowRight}{ArrowDown}");
    const statusCell = within(dataRows()[1]!).getAllByRole("gridcell")[1]!;
    expect(statusCell).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("combobox", { name: "Status" })).toHaveFocus();
    // Arrow keys inside the editor belong to the editor.
    await user.keyboard("{Escape}{ArrowLeft}");
    expect(screen.getByRole("link", { name: "Ticket number 2" })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("grid").contains(document.activeElement)).toBe(false);
  });
});

describe("virtualization", () => {
  it("renders only a window of 500 rows, with their position in aria-rowindex", async () => {
    const rows = tickets(500);
    renderWithProviders(<AutoTable meta={ticketMeta()} rows={rows} rowCount={10_000} rowOffset={500} linkTitles={{}} />);
    const grid = screen.getByRole("grid", { name: "Ticket list" });
    expect(grid).toHaveAttribute("aria-rowcount", "10001");
    const rendered = dataRows();
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(40);
    expect(rendered[0]).toHaveAttribute("aria-rowindex", "502");
    expect(screen.getByRole("link", { name: "Ticket number 1" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Ticket number 400" })).not.toBeInTheDocument();

    // Scrolling brings other rows in and takes the first ones out.
    const scroller = grid.parentElement as HTMLElement;
    await act(async () => {
      scroller.scrollTop = 36 * 399;
      scroller.dispatchEvent(new Event("scroll"));
    });
    await waitFor(() => expect(screen.getByRole("link", { name: "Ticket number 400" })).toBeInTheDocument());
    expect(screen.queryByRole("link", { name: "Ticket number 1" })).not.toBeInTheDocument();
    expect(dataRows().length).toBeLessThan(40);
  });

  it("says the row count is unknown while more pages follow", () => {
    renderTable({ hasMore: true });
    expect(screen.getByRole("grid")).toHaveAttribute("aria-rowcount", "-1");
  });

  it("shows the empty state outside the grid when there are no rows", () => {
    renderTable({ rows: [], empty: <p>No tickets yet</p> });
    expect(screen.getByText("No tickets yet")).toBeInTheDocument();
    expect(screen.getByRole("grid")).not.toContainElement(screen.getByText("No tickets yet"));
    expect(dataRows()).toHaveLength(0);
  });
});
