import "../i18n";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { configure, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FilterTriple } from "../api/types";
import { FilterBuilder } from "./FilterBuilder";
import { describeFilter, operatorsFor, parseFilters, rowToTriple, tripleToRow } from "./filters";
import { field, ticketMeta } from "./__fixtures__/ticketMeta";

// Rendering is slow on a busy machine (these run beside other test suites): no timing here is asserted.
vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5000 });

function renderBuilder(filters: FilterTriple[] = []) {
  const onApply = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <FilterBuilder meta={ticketMeta()} filters={filters} onApply={onApply} />
    </QueryClientProvider>,
  );
  return onApply;
}

function rows() {
  return screen.queryAllByRole("group", { name: /^Filter \d+$/ });
}

afterEach(() => vi.unstubAllGlobals());

describe("FilterBuilder", () => {
  it("adds a row on the title field and applies `contains` as ilike %value%, % and _ taken literally", async () => {
    const user = userEvent.setup();
    const onApply = renderBuilder();
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    const [row] = rows();
    expect(within(row!).getByRole("combobox", { name: "Field" })).toHaveValue("subject");
    expect(within(row!).getByRole("combobox", { name: "Operator" })).toHaveDisplayValue("contains");
    await user.type(within(row!).getByRole("textbox", { name: "Value" }), "50%_off");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onApply).toHaveBeenCalledWith([["subject", "ilike", "%50\\%\\_off%"]]);
  });

  it("offers operators and a value input per field type", async () => {
    const user = userEvent.setup();
    const onApply = renderBuilder();
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    const [status, visits, urgent] = rows();

    await user.selectOptions(within(status!).getByRole("combobox", { name: "Field" }), "Status");
    const statusOps = within(status!).getByRole("combobox", { name: "Operator" });
    expect(within(statusOps).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "equals",
      "does not equal",
      "is one of",
      "is not one of",
      "is set",
      "is not set",
    ]);
    await user.selectOptions(statusOps, "is one of");
    await user.selectOptions(within(status!).getByRole("listbox", { name: "Value" }), ["Open", "Closed"]);

    await user.selectOptions(within(visits!).getByRole("combobox", { name: "Field" }), "Visits");
    await user.selectOptions(within(visits!).getByRole("combobox", { name: "Operator" }), "between");
    await user.type(within(visits!).getByRole("spinbutton", { name: "Value" }), "2");
    await user.type(within(visits!).getByRole("spinbutton", { name: "Up to" }), "10");

    await user.selectOptions(within(urgent!).getByRole("combobox", { name: "Field" }), "Urgent");
    expect(within(urgent!).getByRole("combobox", { name: "Operator" })).toHaveDisplayValue("equals");
    await user.selectOptions(within(urgent!).getByRole("combobox", { name: "Value" }), "No");

    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onApply).toHaveBeenCalledWith([
      ["status", "in", ["Open", "Closed"]],
      ["visits", "between", [2, 10]],
      ["urgent", "=", false],
    ]);
  });

  it("shows the filters in force, removes a row, drops incomplete ones and `is set` needs no value", async () => {
    const user = userEvent.setup();
    const onApply = renderBuilder([
      ["subject", "ilike", "%VPN%"],
      ["priority", "=", "High"],
    ]);
    const [subject, priority] = rows();
    expect(within(subject!).getByRole("textbox", { name: "Value" })).toHaveValue("VPN");
    expect(within(priority!).getByRole("combobox", { name: "Value" })).toHaveValue("High");

    await user.click(within(subject!).getByRole("button", { name: "Remove filter" }));
    expect(rows()).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Add filter" }));
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    const [, incomplete, isSet] = rows();
    expect(within(incomplete!).getByRole("textbox", { name: "Value" })).toHaveValue("");
    await user.selectOptions(within(isSet!).getByRole("combobox", { name: "Field" }), "Due on");
    await user.selectOptions(within(isSet!).getByRole("combobox", { name: "Operator" }), "is not set");
    expect(within(isSet!).queryByLabelText("Value")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onApply).toHaveBeenCalledWith([
      ["priority", "=", "High"],
      ["due_on", "is", "not set"],
    ]);
  });

  it("chooses a Link's value among the target's documents by title", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), "http://desk.test");
        const body =
          url.pathname === "/api/meta/Customer"
            ? { ...ticketMeta(), doctype: "Customer", label: "Customer", title_field: "customer_name" }
            : {
                data: [
                  { id: "c1", name: "acme", customer_name: "Acme Corp" },
                  { id: "c2", name: "initech", customer_name: "Initech" },
                ],
                total: null,
                limit: 200,
                offset: 0,
                has_more: false,
                next_cursor: null,
              };
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
    const user = userEvent.setup();
    const onApply = renderBuilder();
    await user.click(screen.getByRole("button", { name: "Add filter" }));
    await user.selectOptions(screen.getByRole("combobox", { name: "Field" }), "Customer");
    await screen.findByRole("option", { name: "Initech" });
    await user.selectOptions(screen.getByRole("combobox", { name: "Value" }), "Initech");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onApply).toHaveBeenCalledWith([["customer", "=", "c2"]]);
  });
});

describe("filter triples", () => {
  it("round-trip between the API's syntax and builder rows", () => {
    const meta = ticketMeta();
    const triples: FilterTriple[] = [
      ["subject", "not ilike", "%spam\\_%"],
      ["status", "not in", ["Closed"]],
      ["hours", ">=", 1.5],
      ["due_on", "between", ["2026-01-01", "2026-12-31"]],
      ["customer", "is", "set"],
      ["urgent", "=", true],
    ];
    for (const triple of triples) {
      const row = tripleToRow(triple, meta)!;
      const fieldMeta = meta.fields.find((candidate) => candidate.name === triple[0])!;
      expect(rowToTriple(row, fieldMeta)).toEqual(triple);
    }
  });

  it("read a case-sensitive like as `contains` (applied again as ilike)", () => {
    const meta = ticketMeta();
    const row = tripleToRow(["subject", "like", "%VPN%"], meta)!;
    expect(row).toEqual({ field: "subject", op: "contains", value: "VPN" });
    expect(rowToTriple(row, meta.fields.find((candidate) => candidate.name === "subject")!)).toEqual(["subject", "ilike", "%VPN%"]);
  });

  it("parse the URL's JSON, keeping only well-formed triples", () => {
    expect(parseFilters('[["status","=","Open"],["x","drop table",1],"junk",["a","in"]]')).toEqual([["status", "=", "Open"]]);
    expect(parseFilters("not json")).toEqual([]);
    expect(parseFilters('{"status":"Open"}')).toEqual([]);
    expect(parseFilters(null)).toEqual([]);
  });

  it("read as words", () => {
    const meta = ticketMeta();
    expect(describeFilter(["status", "=", "Open"], meta)).toBe("Status equals Open");
    expect(describeFilter(["subject", "ilike", "%VPN\\_2%"], meta)).toBe("Subject contains VPN_2");
    expect(describeFilter(["urgent", "=", true], meta)).toBe("Urgent equals Yes");
    expect(describeFilter(["due_on", "is", "not set"], meta)).toBe("Due on is not set");
  });

  it("give checks a single operator and text fields `contains` first", () => {
    expect(operatorsFor(field("urgent", "Urgent", "check"))).toEqual(["="]);
    expect(operatorsFor(field("subject", "Subject", "data"))[0]).toBe("contains");
    expect(operatorsFor(field("amount", "Amount", "currency"))).toContain("between");
  });
});
