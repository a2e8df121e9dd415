import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { paletteCommands } from "./paletteCommands";
import { installDomPolyfills, installFakeDesk, renderDesk, sampleDocTypes, type FakeDesk } from "./testing/fakeDesk";

let desk: FakeDesk;
beforeEach(() => {
  installDomPolyfills();
  localStorage.clear();
  desk = installFakeDesk();
});
afterEach(() => desk.fake.restore());

async function openShell() {
  renderDesk("/app");
  await within(await screen.findByRole("navigation", { name: "DocTypes" })).findByRole("link", { name: "Ticket" });
  return userEvent.setup();
}

describe("command palette", () => {
  it("opens with Ctrl+K from anywhere, lists commands, and Escape returns focus", async () => {
    const user = await openShell();
    const sidebarSearch = screen.getByRole("searchbox", { name: "Search DocTypes" });
    await user.click(sidebarSearch);
    await user.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog", { name: "Command palette" });
    const input = within(dialog).getByRole("combobox", { name: "Search or type a command" });
    expect(input).toHaveFocus();
    const names = within(dialog).getAllByRole("option").map((o) => o.textContent);
    expect(names).toContain("Go to Ticket");
    expect(names).toContain("New Ticket");
    expect(names).not.toContain("New Contact"); // may read, may not create
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(sidebarSearch).toHaveFocus();
  });

  it("opens with Meta+K and from the navbar's Search button", async () => {
    const user = await openShell();
    await user.keyboard("{Meta>}k{/Meta}");
    await screen.findByRole("dialog", { name: "Command palette" });
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    const button = screen.getByRole("button", { name: "Search" });
    await user.click(button);
    await screen.findByRole("dialog", { name: "Command palette" });
    await user.keyboard("{Escape}");
    await waitFor(() => expect(button).toHaveFocus());
  });

  it("filters commands, finds documents by title (debounced), and runs the chosen one with Enter", async () => {
    const user = await openShell();
    await user.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog", { name: "Command palette" });
    const input = within(dialog).getByRole("combobox");
    await user.type(input, "printer");
    const hit = await within(dialog).findByRole("option", { name: "Printer on fire" });
    expect(hit).toHaveAccessibleDescription("Ticket");
    // One request for the whole word, not one per key.
    const searches = desk.requests("/api/v1/search").filter((r) => r.query.get("q"));
    expect(searches.map((r) => r.query.get("q"))).toEqual(["printer"]);
    expect(within(dialog).queryByRole("option", { name: "Go to Ticket" })).toBeNull();
    // The first option is active; Enter opens it.
    expect(hit).toHaveAttribute("aria-selected", "true");
    expect(input).toHaveAttribute("aria-activedescendant", hit.id);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/desk/app/Ticket/t1"));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("moves through options with the arrow keys, wrapping around", async () => {
    const user = await openShell();
    await user.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog", { name: "Command palette" });
    await user.type(within(dialog).getByRole("combobox"), "customer");
    // The document search for "customer" finds nothing: only the commands stay.
    await waitFor(() => expect(desk.requests("/api/v1/search").some((r) => r.query.get("q") === "customer")).toBe(true));
    await waitFor(() => expect(within(dialog).queryByText("Searching")).toBeNull());
    const options = () => within(dialog).getAllByRole("option");
    const selected = () => options().find((o) => o.getAttribute("aria-selected") === "true")?.textContent;
    expect(options().map((o) => o.textContent)).toEqual(["Go to Customer", "New Customer"]);
    expect(selected()).toBe("Go to Customer");
    await user.keyboard("{ArrowDown}");
    expect(selected()).toBe("New Customer");
    await user.keyboard("{ArrowDown}");
    expect(selected()).toBe("Go to Customer");
    await user.keyboard("{ArrowUp}");
    expect(selected()).toBe("New Customer");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/desk/app/Customer/new"));
  });

  it("matches every typed word", () => {
    const t = (key: string, o?: Record<string, unknown>) => key.replace("{{label}}", String(o?.label));
    expect(paletteCommands(sampleDocTypes, "new tick", t).map((c) => c.label)).toEqual(["New Ticket"]);
    expect(paletteCommands(sampleDocTypes, "", t)).toHaveLength(sampleDocTypes.length + sampleDocTypes.filter((d) => d.can_create).length);
    expect(paletteCommands(sampleDocTypes, "go con", t).map((c) => c.to)).toEqual(["/app/Contact"]);
  });
});
