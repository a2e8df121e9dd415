/**
 * The shell: the Ctrl+K command palette (go to a DocType, find a document by its title, start
 * a new document), the sidebar grouped by module with collapsible sections, and the
 * dashboard's recent documents.
 */
import { expect, test } from "@playwright/test";
import { ADMIN, apiAs, signIn, unique } from "./support/demo";

test("Ctrl+K opens the command palette: go to a DocType, open a document by title, start a new one", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/desk/app");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const palette = page.getByRole("dialog", { name: "Command palette" });
  const input = palette.getByRole("combobox", { name: "Search or type a command" });

  await page.keyboard.press("Control+k");
  await expect(input).toBeFocused();
  await page.keyboard.type("Go to Customer");
  await expect(palette.getByRole("option", { name: "Go to Customer" })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(palette).toBeHidden();
  await expect(page.getByRole("heading", { level: 1, name: "Customer" })).toBeVisible();

  await page.keyboard.press("Control+k");
  await page.keyboard.type("Rocket skates");
  await expect(palette.getByRole("option", { name: "Rocket skates explode on start-up" })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Rocket skates explode on start-up" })).toBeVisible();

  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(input).toBeFocused();
  await page.keyboard.type("New Ticket");
  await expect(palette.getByRole("option", { name: "New Ticket" })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "New Ticket" })).toBeVisible();
});

test("the sidebar groups DocTypes by module in collapsible sections; the dashboard lists recent documents", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const subject = unique("Recent one");
  await admin.createTicket({ subject });
  await admin.dispose();

  await signIn(page, ADMIN);
  await page.goto("/desk/app");
  const nav = page.getByRole("navigation", { name: "DocTypes" });
  const helpdesk = nav.getByRole("heading", { level: 2, name: "Helpdesk" }).locator("xpath=following-sibling::*[1]");
  for (const label of ["Contact", "Customer", "Ticket"]) {
    await expect(helpdesk.getByRole("link", { name: label, exact: true })).toBeVisible();
  }
  await expect(helpdesk.getByRole("link", { name: "User", exact: true })).toHaveCount(0);

  const toggle = nav.getByRole("button", { name: "Helpdesk" });
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav.getByRole("link", { name: "Ticket", exact: true })).toBeHidden();
  await toggle.click();
  await expect(nav.getByRole("link", { name: "Ticket", exact: true })).toBeVisible();

  const recent = page.getByRole("list", { name: "Recent documents" });
  await expect(recent.getByRole("link", { name: new RegExp(subject) })).toBeVisible();
  await recent.getByRole("link", { name: new RegExp(subject) }).click();
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
});
