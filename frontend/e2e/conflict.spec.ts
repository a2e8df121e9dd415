/**
 * Issue 7, third acceptance point (conflicts): a stale save (409 version_conflict) shows the
 * conflict message and loses neither side's data: the other side's value is on the server, my
 * edits stay in the form, "Save mine on top" saves both; "Reload theirs" takes theirs.
 */
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, MANAGER, apiAs, signIn, unique, type TicketDoc } from "./support/demo";
import { savedNotice } from "./support/ui";

const CONFLICT = "Not saved: someone else saved this document after you opened it";

/** Opens the Ticket, makes my edit, lets the manager save another field over the API. */
async function staleEdit(page: Page, subject: string): Promise<TicketDoc> {
  const admin = await apiAs(ADMIN);
  const ticket = await admin.createTicket({ subject, priority: "Low" });
  await admin.dispose();

  await signIn(page, ADMIN);
  await page.goto(`/desk/app/Ticket/${ticket.id}`);
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await page.getByLabel("Description", { exact: true }).fill("My notes, typed before their save");

  const manager = await apiAs(MANAGER);
  await manager.updateTicket(ticket.id, { priority: "High", _version: ticket._version });
  await manager.dispose();
  return ticket;
}

test("a stale save keeps my edits, keeps theirs on the server, and Save mine on top saves both", async ({ page }) => {
  const ticket = await staleEdit(page, unique("Stale save"));
  await page.getByRole("button", { name: "Save", exact: true }).click();

  const alert = page.getByRole("alert").filter({ hasText: CONFLICT });
  await expect(alert).toBeVisible();
  await expect(page.getByLabel("Description", { exact: true })).toHaveValue("My notes, typed before their save");
  const admin = await apiAs(ADMIN);
  let stored = await admin.getTicket(ticket.id);
  expect(stored.priority, "their save is on the server").toBe("High");
  expect(stored.description, "mine is not, yet").toBeNull();

  await page.getByRole("button", { name: "Save mine on top" }).click();
  await expect(savedNotice(page)).toBeVisible();
  await expect(alert).toBeHidden();
  stored = await admin.getTicket(ticket.id);
  expect(stored.priority, "their change survived").toBe("High");
  expect(stored.description, "mine was saved").toBe("My notes, typed before their save");
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("High");
  await admin.dispose();
});

test("Reload theirs after a stale save discards my edits and shows their version", async ({ page }) => {
  const ticket = await staleEdit(page, unique("Stale reload"));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: CONFLICT })).toBeVisible();

  await page.getByRole("button", { name: "Reload theirs" }).click();
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("High");
  await expect(page.getByLabel("Description", { exact: true })).toHaveValue("");
  const admin = await apiAs(ADMIN);
  const stored = await admin.getTicket(ticket.id);
  expect(stored.description).toBeNull();
  expect(stored.priority).toBe("High");
  await admin.dispose();
});
