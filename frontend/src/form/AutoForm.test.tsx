import "../i18n";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useRef, useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FieldError } from "../api/http";
import type { DocTypeMeta } from "../api/types";
import { AutoForm, type AutoFormHandle, type DocValue } from "./AutoForm";
import { customerMeta, everythingMeta } from "./fixtures";
import { newDocumentValues } from "./formModel";
import { fakeApi, type Handler } from "./testing";
import { clearLinkTitles } from "./widgets/linkTitles";

interface HarnessProps {
  meta?: DocTypeMeta;
  initial: DocValue;
  errors?: FieldError[];
  onSubmit?: (value: DocValue) => void;
  onValue?: (value: DocValue) => void;
}

function Harness({ meta = everythingMeta, initial, errors, onSubmit, onValue }: HarnessProps) {
  const [value, setValue] = useState(initial);
  const ref = useRef<AutoFormHandle>(null);
  return (
    <>
      <AutoForm
        ref={ref}
        meta={meta}
        value={value}
        onChange={(next) => {
          setValue(next);
          onValue?.(next);
        }}
        errors={errors}
        onSubmit={onSubmit}
      />
      <button type="button" onClick={() => ref.current?.submit()}>
        Save
      </button>
    </>
  );
}

const CUSTOMERS = [
  { doctype: "Customer", id: "c-1", name: "Initech", title: "Initech", modified: "2026-11-21T10:00:00Z" },
  { doctype: "Customer", id: "c-2", name: "Initrode", title: "Initrode", modified: "2026-11-21T10:00:00Z" },
  { doctype: "Customer", id: "c-3", name: "Globex", title: "Globex", modified: "2026-11-21T10:00:00Z" },
];

const customerApi: Handler = (request) => {
  if (request.path === "/api/v1/search") {
    const q = (request.query.get("q") ?? "").toLowerCase();
    return { body: { data: CUSTOMERS.filter((c) => c.title.toLowerCase().includes(q)) } };
  }
  if (request.path === "/api/meta/Customer") return { body: customerMeta };
  const match = /^\/api\/v1\/Customer\/(.+)$/.exec(request.path);
  if (match) {
    const hit = CUSTOMERS.find((c) => c.id === match[1]);
    return hit ? { body: { id: hit.id, name: hit.name, customer_name: `${hit.title} Ltd`, _version: 1 } } : undefined;
  }
  return undefined;
};

const lastValue = (mock: ReturnType<typeof vi.fn>) => mock.mock.calls[mock.mock.calls.length - 1][0] as DocValue;

// This machine is shared and slow; RJSF re-renders the form on every keystroke.
vi.setConfig({ testTimeout: 60_000 });
// Waits too: a save and a navigation can take seconds while other helpers load the machine.
configure({ asyncUtilTimeout: 8000 });

beforeEach(() => {
  clearLinkTitles();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("AutoForm widgets", () => {
  it("renders every fieldtype with its own control, labelled by the field's label", () => {
    fakeApi(customerApi);
    render(<Harness initial={newDocumentValues(everythingMeta)} />);
    const title = screen.getByLabelText("Title");
    expect(title.tagName).toBe("INPUT");
    expect(title).toHaveAttribute("type", "text");
    expect(title).toHaveAttribute("aria-required", "true");
    const details = screen.getByLabelText("Details");
    expect(details.tagName).toBe("TEXTAREA");
    // The help text describes its input.
    expect(details).toHaveAccessibleDescription("Long text");
    expect(screen.getByLabelText("Secret")).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("Count")).toHaveAttribute("inputmode", "numeric");
    expect(screen.getByLabelText("Ratio")).toHaveAttribute("inputmode", "decimal");
    expect(screen.getByLabelText("Price")).toHaveAttribute("inputmode", "decimal");
    expect(screen.getByRole("checkbox", { name: "Active" })).not.toBeChecked();
    const status = screen.getByRole("combobox", { name: "Status" });
    expect(status.tagName).toBe("SELECT");
    expect(status).toHaveValue("Open");
    expect(within(status).getAllByRole("option").map((o) => o.textContent)).toEqual(["", "Open", "Closed"]);
    expect(screen.getByLabelText("Day")).toHaveAttribute("type", "date");
    expect(screen.getByLabelText("At")).toHaveAttribute("type", "datetime-local");
    expect(screen.getByLabelText("Clock")).toHaveAttribute("type", "time");
    expect(screen.getByLabelText("Data").tagName).toBe("TEXTAREA");
    const customer = screen.getByRole("combobox", { name: "Customer" });
    expect(customer.tagName).toBe("INPUT");
    expect(customer).toHaveAttribute("aria-autocomplete", "list");
    expect(screen.getByRole("table", { name: "Lines" })).toBeInTheDocument();
    expect(screen.getByLabelText("Code")).toHaveAttribute("type", "text");
    // On create: no read-only, hidden or standard fields.
    expect(screen.queryByLabelText("Computed")).toBeNull();
    expect(screen.queryByLabelText("Internal")).toBeNull();
    expect(screen.queryByLabelText("Owner")).toBeNull();
    expect(screen.queryByLabelText("Name")).toBeNull();
    // No RJSF default markup: no submit button of its own.
    expect(screen.queryByRole("button", { name: "Submit" })).toBeNull();
  });

  it("lays fields out in the metadata's sections; a collapsible section folds and unfolds", async () => {
    const user = userEvent.setup();
    fakeApi(customerApi);
    render(<Harness initial={{}} />);
    expect(screen.getByRole("heading", { name: "Main" })).toBeInTheDocument();
    const when = screen.getByRole("button", { name: "When" });
    expect(when).toHaveAttribute("aria-expanded", "true");
    const main = screen.getByRole("region", { name: "Main" });
    expect(within(main).getByLabelText("Title")).toBeInTheDocument();
    expect(within(main).queryByLabelText("Day")).toBeNull();
    await user.click(when);
    expect(when).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByLabelText("Day")).not.toBeVisible();
    await user.click(when);
    expect(screen.getByLabelText("Day")).toBeVisible();
    // Fields the layout does not place come after the sections, in the metadata's order.
    const order = Array.from(document.querySelectorAll("[data-field]")).map((el) => el.getAttribute("data-field"));
    expect(order.slice(-2)).toEqual(["lines", "code"]);
  });

  it("shows read-only fields of an existing document as text", async () => {
    fakeApi(customerApi);
    render(<Harness initial={{ id: "d-1", title: "Hello", computed: "From the server", customer: "c-1", _version: 3 }} />);
    const computed = screen.getByLabelText("Computed");
    expect(computed).toHaveAttribute("readonly");
    expect(computed).toHaveValue("From the server");
    expect(screen.getByLabelText("Title")).toHaveValue("Hello");
    expect(screen.queryByLabelText("Internal")).toBeNull();
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Customer" })).toHaveValue("Initech Ltd"));
  });

  it("turns typed text into typed values: numbers, decimals as strings, ISO datetimes, JSON", async () => {
    const user = userEvent.setup();
    const onValue = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={{}} onValue={onValue} />);
    await user.type(screen.getByLabelText("Count"), "12");
    expect(lastValue(onValue).count).toBe(12);
    await user.type(screen.getByLabelText("Ratio"), "0.25");
    expect(lastValue(onValue).ratio).toBe(0.25);
    await user.type(screen.getByLabelText("Price"), "12345678901234567.10");
    expect(lastValue(onValue).price).toBe("12345678901234567.10");
    await user.click(screen.getByRole("checkbox", { name: "Active" }));
    expect(lastValue(onValue).active).toBe(true);
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Closed");
    expect(lastValue(onValue).status).toBe("Closed");
    fireEvent.change(screen.getByLabelText("Day"), { target: { value: "2026-11-21" } });
    expect(lastValue(onValue).day).toBe("2026-11-21");
    fireEvent.change(screen.getByLabelText("At"), { target: { value: "2026-11-21T09:30:00" } });
    expect(lastValue(onValue).at).toBe(new Date(2026, 10, 21, 9, 30, 0).toISOString());
    fireEvent.change(screen.getByLabelText("Clock"), { target: { value: "08:15" } });
    expect(lastValue(onValue).clock).toBe("08:15:00");
    fireEvent.change(screen.getByLabelText("Data"), { target: { value: '{"a": [1, 2]}' } });
    expect(lastValue(onValue).data).toEqual({ a: [1, 2] });
    // Emptying an optional field clears it (null), so a merging PUT really empties it.
    await user.clear(screen.getByLabelText("Count"));
    expect(lastValue(onValue).count).toBeNull();
  });

  it("shows a server datetime in local time and keeps it when untouched", () => {
    fakeApi(customerApi);
    render(<Harness initial={{ at: "2026-11-21T17:22:41.288918Z" }} />);
    const local = new Date("2026-11-21T17:22:41Z");
    const pad = (n: number) => String(n).padStart(2, "0");
    // (jsdom writes the seconds' fraction out; a browser keeps "…:41")
    expect((screen.getByLabelText("At") as HTMLInputElement).value).toMatch(
      new RegExp(`^2026-11-21T${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}(\\.000)?$`),
    );
  });

  it("keeps a half-typed number or broken JSON as a draft error that blocks the submit", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={{ title: "T", customer: "c-1", status: "Open" }} onSubmit={onSubmit} />);
    const count = screen.getByLabelText("Count");
    await user.type(count, "12x");
    expect(count).toHaveAttribute("aria-invalid", "true");
    expect(count).toHaveAccessibleDescription("Enter a whole number");
    fireEvent.change(screen.getByLabelText("Data"), { target: { value: "{oops" } });
    expect(screen.getByLabelText("Data")).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(document.activeElement).toBe(count));
    expect(onSubmit).not.toHaveBeenCalled();
    await user.clear(count);
    await user.type(count, "3");
    fireEvent.change(screen.getByLabelText("Data"), { target: { value: "[1]" } });
    expect(count).not.toHaveAttribute("aria-invalid");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ count: 3, data: [1] });
  });
});

describe("AutoForm validation", () => {
  it("refuses to submit without the required fields and says so at each field", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={newDocumentValues(everythingMeta)} onSubmit={onSubmit} />);
    await user.click(screen.getByRole("button", { name: "Save" }));
    const title = screen.getByLabelText("Title");
    await waitFor(() => expect(title).toHaveAccessibleDescription("This field is required"));
    expect(title).toHaveAttribute("aria-invalid", "true");
    const customer = screen.getByRole("combobox", { name: "Customer" });
    expect(customer).toHaveAttribute("aria-invalid", "true");
    expect(customer).toHaveAccessibleDescription("This field is required");
    await waitFor(() => expect(document.activeElement).toBe(title));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("checks the schema's constraints and the required cells of child rows", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    fakeApi(customerApi);
    render(
      <Harness
        initial={{ title: "A title far longer than twenty", customer: "c-1", count: -1, lines: [{ item: "ok", qty: 1 }, { qty: 2 }] }}
        onSubmit={onSubmit}
      />,
    );
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveAccessibleDescription("Enter at most 20 characters"));
    expect(screen.getByLabelText("Count")).toHaveAccessibleDescription("Enter 0 or more");
    const item2 = screen.getByRole("textbox", { name: "Item row 2" });
    expect(item2).toHaveAttribute("aria-invalid", "true");
    expect(item2).toHaveAccessibleDescription("This field is required");
    expect(screen.getByRole("textbox", { name: "Item row 1" })).not.toHaveAttribute("aria-invalid");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows server errors at their field, a child row's at its cell, the rest apart", async () => {
    fakeApi(customerApi);
    const errors: FieldError[] = [
      { loc: ["title"], msg: "A document with this title exists" },
      { loc: ["lines", 1, "item"], msg: "Unknown item" },
      { loc: ["body", "count"], msg: "Too many" },
      { loc: ["somewhere_else"], msg: "Something else went wrong" },
    ];
    render(<Harness initial={{ title: "Dup", customer: "c-1", lines: [{ item: "a" }, { item: "b" }] }} errors={errors} />);
    const title = screen.getByLabelText("Title");
    expect(title).toHaveAttribute("aria-invalid", "true");
    expect(title).toHaveAccessibleDescription("A document with this title exists");
    const describedBy = title.getAttribute("aria-describedby") ?? "";
    expect(document.getElementById(describedBy.split(" ")[0])).toHaveTextContent("A document with this title exists");
    const cell = screen.getByRole("textbox", { name: "Item row 2" });
    expect(cell).toHaveAttribute("aria-invalid", "true");
    expect(cell).toHaveAccessibleDescription("Unknown item");
    expect(screen.getByRole("textbox", { name: "Item row 1" })).not.toHaveAttribute("aria-invalid");
    expect(screen.getByLabelText("Count")).toHaveAccessibleDescription("Too many");
    expect(screen.getByText("Something else went wrong")).toBeInTheDocument();
    // The user is taken to the first error.
    await waitFor(() => expect(document.activeElement).toBe(title));
  });

  it("opens a collapsed section that holds an error", async () => {
    const user = userEvent.setup();
    fakeApi(customerApi);
    const { rerender } = render(<AutoForm meta={everythingMeta} value={{ title: "x", customer: "c-1" }} onChange={() => {}} />);
    await user.click(screen.getByRole("button", { name: "When" }));
    expect(screen.getByLabelText("Day")).not.toBeVisible();
    rerender(<AutoForm meta={everythingMeta} value={{ title: "x", customer: "c-1" }} onChange={() => {}} errors={[{ loc: ["day"], msg: "Not a working day" }]} />);
    expect(screen.getByLabelText("Day")).toHaveAccessibleDescription("Not a working day");
    expect(screen.getByLabelText("Day")).toBeVisible();
  });
});

describe("Link combobox", () => {
  it("searches as one types and chooses with the arrow keys and Enter", async () => {
    const user = userEvent.setup();
    const onValue = vi.fn();
    const { requests } = fakeApi(customerApi);
    render(<Harness initial={{}} onValue={onValue} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    await user.type(box, "Init");
    const listbox = await screen.findByRole("listbox", { name: "Customer" });
    expect(within(listbox).getAllByRole("option").map((o) => o.textContent)).toEqual(["Initech", "Initrode"]);
    expect(box).toHaveAttribute("aria-expanded", "true");
    const search = requests.filter((r) => r.path === "/api/v1/search").pop();
    expect(search?.query.get("doctype")).toBe("Customer");
    expect(search?.query.get("q")).toBe("Init");
    await user.keyboard("{ArrowDown}");
    expect(box).toHaveAttribute("aria-activedescendant", within(listbox).getByRole("option", { name: "Initech" }).id);
    await user.keyboard("{ArrowDown}");
    expect(within(listbox).getByRole("option", { name: "Initrode" })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    expect(lastValue(onValue).customer).toBe("c-2");
    expect(box).toHaveValue("Initrode");
    expect(box).toHaveAttribute("aria-expanded", "false");
    // The clear button empties the field and gives the focus back.
    await user.click(screen.getByRole("button", { name: "Clear Customer" }));
    expect(lastValue(onValue).customer).toBeUndefined(); // required: missing, not null
    expect(box).toHaveValue("");
    expect(box).toHaveFocus();
  });

  it("opens on ArrowDown with recent documents, closes on Escape, and takes keys typed before the results", async () => {
    const user = userEvent.setup();
    const onValue = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={{}} onValue={onValue} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    box.focus();
    await user.keyboard("{ArrowDown}");
    const listbox = await screen.findByRole("listbox", { name: "Customer" });
    expect(within(listbox).getAllByRole("option")).toHaveLength(3);
    await waitFor(() => expect(within(listbox).getByRole("option", { name: "Initech" })).toHaveAttribute("aria-selected", "true"));
    await user.keyboard("{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    expect(onValue).not.toHaveBeenCalled();
    // Typing, ArrowDown and Enter faster than the search answers still choose the first hit.
    await user.type(box, "Glo{ArrowDown}{Enter}");
    await waitFor(() => expect(lastValue(onValue).customer).toBe("c-3"));
    expect(box).toHaveValue("Globex");
  });

  it("shows the linked document's title for a stored id", async () => {
    const { requests } = fakeApi(customerApi);
    render(<Harness initial={{ id: "d-1", title: "x", customer: "c-1" }} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    await waitFor(() => expect(box).toHaveValue("Initech Ltd"));
    expect(requests.some((r) => r.path === "/api/v1/Customer/c-1")).toBe(true);
  });

  it("says when nothing matches", async () => {
    const user = userEvent.setup();
    fakeApi(customerApi);
    render(<Harness initial={{}} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    await user.type(box, "zzz");
    expect(await screen.findByText("No matches", { selector: ".fm-combobox-empty" })).toBeVisible();
    expect(box).toHaveAttribute("aria-expanded", "false");
    await user.keyboard("{Enter}"); // nothing to choose: nothing happens
    expect(box).toHaveValue("zzz");
    await user.tab();
    expect(box).toHaveValue(""); // unchosen text is dropped
  });
});

describe("Child table", () => {
  const rows = [
    { id: "r1", item: "first", qty: 1 },
    { id: "r2", item: "second", qty: 2 },
    { id: "r3", item: "third", qty: 3 },
  ];

  it("edits, reorders, removes and adds rows with buttons, keeping the focus with the row", async () => {
    const user = userEvent.setup();
    const onValue = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={{ title: "x", customer: "c-1", lines: rows }} onValue={onValue} />);
    const table = screen.getByRole("table", { name: "Lines" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["#Row", "Item*", "Qty", "Note", "Row actions"]);
    expect(screen.getByRole("textbox", { name: "Item row 3" })).toHaveValue("third");
    expect(screen.getByRole("button", { name: "Move row 1 up" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move row 3 down" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Move row 3 up" }));
    expect((lastValue(onValue).lines as { id: string }[]).map((r) => r.id)).toEqual(["r1", "r3", "r2"]);
    expect(screen.getByRole("textbox", { name: "Item row 2" })).toHaveValue("third");
    expect(screen.getByRole("button", { name: "Move row 2 up" })).toHaveFocus();
    await user.keyboard("{Enter}"); // again, from the keyboard: row 2 -> row 1
    expect((lastValue(onValue).lines as { id: string }[]).map((r) => r.id)).toEqual(["r3", "r1", "r2"]);
    expect(screen.getByRole("button", { name: "Move row 1 down" })).toHaveFocus();

    await user.click(screen.getByRole("button", { name: "Move row 1 down" }));
    expect((lastValue(onValue).lines as { id: string }[]).map((r) => r.id)).toEqual(["r1", "r3", "r2"]);

    await user.click(screen.getByRole("button", { name: "Remove row 1" }));
    expect((lastValue(onValue).lines as { id: string }[]).map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(screen.queryByRole("textbox", { name: "Item row 3" })).toBeNull();
    expect(screen.getByRole("button", { name: "Remove row 1" })).toHaveFocus();

    await user.click(screen.getByRole("button", { name: "Add row" }));
    const added = lastValue(onValue).lines as Record<string, unknown>[];
    expect(added).toHaveLength(3);
    expect(added[2]).toEqual({ qty: 1 }); // the child's defaults
    const item3 = screen.getByRole("textbox", { name: "Item row 3" });
    expect(item3).toHaveFocus();
    await user.type(item3, "new one");
    await user.type(screen.getByRole("textbox", { name: "Qty row 3" }), "0");
    expect((lastValue(onValue).lines as Record<string, unknown>[])[2]).toEqual({ item: "new one", qty: 10 });
    expect(screen.getByRole("textbox", { name: "Note row 3" }).tagName).toBe("TEXTAREA");
  });

  it("shows an empty table with a way to add the first row", async () => {
    const user = userEvent.setup();
    const onValue = vi.fn();
    fakeApi(customerApi);
    render(<Harness initial={{ lines: [] }} onValue={onValue} />);
    expect(screen.getByText("No rows")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add row" }));
    expect(screen.getByRole("textbox", { name: "Item row 1" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Remove row 1" }));
    expect(screen.getByRole("button", { name: "Add row" })).toHaveFocus();
    expect(lastValue(onValue).lines).toEqual([]);
  });
});

describe("AutoForm disabled", () => {
  it("disables every input and hides the row buttons", async () => {
    fakeApi(customerApi);
    render(<AutoForm meta={everythingMeta} value={{ id: "d", title: "x", customer: "c-1", lines: [{ item: "a" }] }} onChange={() => {}} disabled />);
    expect(screen.getByLabelText("Title")).toBeDisabled();
    expect(screen.getByRole("combobox", { name: "Customer" })).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Add row" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Clear Customer" })).toBeNull();
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Customer" })).toHaveValue("Initech Ltd"));
  });
});

