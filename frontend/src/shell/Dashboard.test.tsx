import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatRelative } from "./formatRelative";
import { installDomPolyfills, installFakeDesk, renderDesk, type FakeDesk } from "./testing/fakeDesk";

let desk: FakeDesk;
beforeEach(() => {
  installDomPolyfills();
  localStorage.clear();
  desk = installFakeDesk();
});
afterEach(() => desk.fake.restore());

describe("dashboard", () => {
  it("lists recent documents (blank search) linking to their forms, titled or named", async () => {
    renderDesk("/app");
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    const list = await screen.findByRole("list", { name: "Recent documents" });
    const links = within(list).getAllByRole("link");
    expect(links.map((a) => a.textContent)).toEqual(["Printer on fire", "Acme Corp", "TKT-0002"]);
    expect(links[0]).toHaveAttribute("href", "/desk/app/Ticket/t1");
    expect(links[1]).toHaveAttribute("href", "/desk/app/Customer/c1");
    expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("5 minutes ago");
    const search = desk.requests("/api/v1/search")[0];
    expect(search.query.get("q") ?? "").toBe("");
    expect(search.query.get("limit")).toBe("10");
  });

  it("offers New links only for DocTypes the user may create", async () => {
    renderDesk("/app");
    const quick = await screen.findByRole("region", { name: "Quick links" });
    expect(within(quick).getAllByRole("link").map((a) => a.textContent)).toEqual(["New Customer", "New Ticket", "New User", "New Webhook"]);
    expect(within(quick).getByRole("link", { name: "New Ticket" })).toHaveAttribute("href", "/desk/app/Ticket/new");
  });

  it("says so when there is nothing, and offers a retry when the search fails", async () => {
    desk.state.hits = [];
    const { unmount } = renderDesk("/app");
    expect(await screen.findByText("No documents yet.")).toBeInTheDocument();
    unmount();
    desk.state.searchFails = true;
    renderDesk("/app");
    expect(await screen.findByRole("alert")).toHaveTextContent("Recent documents could not be loaded.");
    desk.state.searchFails = false;
    desk.state.hits = [{ doctype: "Ticket", id: "t9", name: "TKT-9", title: "Back again", modified: new Date().toISOString() }];
    await userEvent.setup().click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("link", { name: "Back again" })).toBeInTheDocument();
  });

  it("formats relative times", () => {
    const now = Date.parse("2026-11-21T12:00:00Z");
    expect(formatRelative("2026-11-21T11:58:00Z", "en", now)).toBe("2 minutes ago");
    expect(formatRelative("2026-11-20T12:00:00Z", "en", now)).toBe("yesterday");
    expect(formatRelative("2026-11-21T11:59:59Z", "en", now)).toBe("now");
    expect(formatRelative("not a date", "en", now)).toBe("");
  });
});
