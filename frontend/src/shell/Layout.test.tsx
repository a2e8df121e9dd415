import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { groupDocTypes, moduleTitle } from "./groupDocTypes";
import { installDomPolyfills, installFakeDesk, renderDesk, sampleDocTypes, type FakeDesk } from "./testing/fakeDesk";

let desk: FakeDesk;
beforeEach(() => {
  installDomPolyfills();
  localStorage.clear();
  document.documentElement.removeAttribute("data-theme");
  desk = installFakeDesk();
});
afterEach(() => desk.fake.restore());

async function sidebar() {
  const nav = await screen.findByRole("navigation", { name: "DocTypes" });
  await within(nav).findByRole("link", { name: "Ticket" });
  return nav;
}

describe("layout", () => {
  it("starts with a skip link to <main id=content>", async () => {
    renderDesk("/app");
    await sidebar();
    const user = userEvent.setup();
    await user.tab();
    const skip = screen.getByRole("link", { name: "Skip to content" });
    expect(skip).toHaveFocus();
    expect(skip).toHaveAttribute("href", "#content");
    await user.keyboard("{Enter}");
    expect(screen.getByRole("main")).toHaveAttribute("id", "content");
    expect(screen.getByRole("main")).toHaveFocus();
  });
});

describe("sidebar", () => {
  it("lists the readable DocTypes grouped by module, linking to their lists", async () => {
    renderDesk("/app");
    const nav = await sidebar();
    const groups = within(nav).getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(groups).toEqual(["Framework M Standard", "Helpdesk"]);
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual(["User", "Webhook", "Contact", "Customer", "Ticket"]);
    expect(within(nav).getByRole("link", { name: "Customer" })).toHaveAttribute("href", "/desk/app/Customer");
  });

  it("filters by the search box", async () => {
    renderDesk("/app");
    const nav = await sidebar();
    const user = userEvent.setup();
    await user.type(within(nav).getByRole("searchbox", { name: "Search DocTypes" }), "cu");
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual(["Customer"]);
    await user.type(within(nav).getByRole("searchbox", { name: "Search DocTypes" }), "zzz");
    expect(within(nav).queryAllByRole("link")).toHaveLength(0);
    expect(within(nav).getByRole("status")).toHaveTextContent("No DocType matches");
  });

  it("collapses a group and remembers it", async () => {
    const { unmount } = renderDesk("/app");
    const nav = await sidebar();
    const user = userEvent.setup();
    const toggle = within(nav).getByRole("button", { name: "Helpdesk" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(nav).queryByRole("link", { name: "Ticket" })).toBeNull();
    expect(within(nav).getByRole("link", { name: "User" })).toBeInTheDocument();
    unmount();
    renderDesk("/app");
    const again = await screen.findByRole("navigation", { name: "DocTypes" });
    await within(again).findByRole("link", { name: "User" });
    expect(within(again).getByRole("button", { name: "Helpdesk" })).toHaveAttribute("aria-expanded", "false");
    // A search shows matches in collapsed groups too.
    await user.type(within(again).getByRole("searchbox", { name: "Search DocTypes" }), "tick");
    expect(within(again).getByRole("link", { name: "Ticket" })).toBeInTheDocument();
  });

  it("marks the current DocType", async () => {
    renderDesk("/app/Customer/c1");
    const nav = await sidebar();
    expect(within(nav).getByRole("link", { name: "Customer" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Ticket" })).not.toHaveAttribute("aria-current");
  });

  it("groups and titles modules", () => {
    expect(moduleTitle("framework_m_standard")).toBe("Framework M Standard");
    const groups = groupDocTypes([...sampleDocTypes, { ...sampleDocTypes[0], doctype: "Loose", label: "Loose", module: "" }]);
    expect(groups.map((g) => g.title)).toEqual(["Framework M Standard", "Helpdesk", "Other"]);
  });
});

describe("navbar", () => {
  it("toggles the theme on <html>, remembers it, and renames the button", async () => {
    renderDesk("/app");
    await sidebar();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Switch to dark theme" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem("fm-theme")).toBe("dark");
    await user.click(screen.getByRole("button", { name: "Switch to light theme" }));
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(localStorage.getItem("fm-theme")).toBe("light");
  });

  it("has a notifications button with an empty popover", async () => {
    renderDesk("/app");
    await sidebar();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Notifications" }));
    expect(await screen.findByText("No notifications")).toBeInTheDocument();
  });

  it("logs out from the user menu named after the user", async () => {
    renderDesk("/app/Ticket");
    await sidebar();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Ada Admin" }));
    await user.click(await screen.findByRole("menuitem", { name: "Log out" }));
    expect(await screen.findByLabelText("Email")).toBeInTheDocument();
    expect(desk.requests("/api/v1/auth/logout", "POST")).toHaveLength(1);
    expect(desk.requests("/api/v1/auth/logout", "POST")[0].headers["x-csrf-token"]).toBeUndefined(); // no cookie in this test
    await waitFor(() => expect(window.location.pathname).toBe("/desk/login"));
    expect(window.location.search).toBe(""); // the next user starts on the dashboard
  });

  it("offers the server's failure instead of a login page when the server is down", async () => {
    desk.fake.restore();
    desk = installFakeDesk();
    desk.fake.fallback = () => new Response(JSON.stringify({ error: { type: "unavailable", message: "Down", details: null } }), { status: 503 });
    renderDesk("/app");
    expect(await screen.findByRole("alert")).toHaveTextContent("The server cannot be reached");
    expect(window.location.pathname).toBe("/desk/app");
  });
});
