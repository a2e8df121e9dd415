/**
 * Issue 7, first acceptance point: log in to the demo; create a Ticket with three comment rows
 * and a Customer chosen through the Link combobox; find it in the list by filter; edit it
 * inline; open it in two browser contexts, save in one and see the other show the change
 * banner. (Permissions: permissions.spec.ts.)
 */
import { expect, test } from "@playwright/test";
import { ADMIN, MANAGER, apiAs, signIn, statusOf, unique, type Api } from "./support/demo";
import { cellUnder, chooseLink, dataRows, listGrid, savedNotice, subscribed } from "./support/ui";

let admin: Api;
test.beforeAll(async () => {
  admin = await apiAs(ADMIN);
});
test.afterAll(async () => {
  await admin.dispose();
});

test("signs in on the login page, lands on the dashboard and signs out", async ({ page }) => {
  await page.goto("/desk/app/Ticket");
  await expect(page).toHaveURL(/\/desk\/login/);

  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();

  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/desk\/app/);
  await expect(page.getByRole("navigation", { name: "DocTypes" }).getByRole("link", { name: "Ticket", exact: true })).toBeVisible();

  await page.goto("/desk/app");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("Recent documents")).toBeVisible();

  await page.getByRole("button", { name: ADMIN.name }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/desk\/login/);
  expect(await statusOf(page, "/api/v1/auth/me")).toBe(401);
});

test("creates a Ticket with three comment rows and a Customer chosen in the Link combobox", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  await page.getByRole("link", { name: "New Ticket" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New Ticket" })).toBeVisible();

  const subject = unique("Printer on fire");
  await page.getByLabel("Subject", { exact: true }).fill(subject);
  await chooseLink(page, "Customer", "Init", "Initech");

  const bodies = ["First call: paper jam", "Second call: smoke", "Third call: fire brigade"];
  const comments = page.getByRole("table", { name: "Comments" });
  for (const [index, body] of bodies.entries()) {
    await page.getByRole("button", { name: "Add row" }).click();
    await comments.getByLabel(`Body row ${index + 1}`, { exact: true }).fill(body);
  }
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(savedNotice(page)).toBeVisible();
  await expect(page).toHaveURL(/\/desk\/app\/Ticket\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();

  const saved = await admin.findTicket(subject);
  expect(saved, "the Ticket is on the server").toBeDefined();
  expect(saved!.customer).toBe(await admin.customerId("Initech"));
  expect(saved!.comments.map((comment) => comment.body)).toEqual(bodies);
  expect(page.url()).toContain(saved!.id);

  // Reloaded from the server, the form shows what was saved.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Customer", exact: true })).toHaveValue("Initech");
  await expect(comments.getByLabel("Body row 3", { exact: true })).toHaveValue(bodies[2]);
});

test("finds a Ticket in the list with the filter builder, and the filter stays in the URL", async ({ page }) => {
  const token = unique("Filterable");
  await admin.createTicket({ subject: `${token} high`, priority: "High" });
  await admin.createTicket({ subject: `${token} low`, priority: "Low" });

  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  const grid = listGrid(page, "Ticket");
  await expect(dataRows(grid).first()).toBeVisible();

  await page.getByRole("button", { name: "Filters" }).click();
  await page.getByRole("button", { name: "Add filter" }).click();
  const first = page.getByRole("group", { name: "Filter 1" });
  await first.getByLabel("Field").selectOption({ label: "Subject" });
  await first.getByLabel("Operator").selectOption({ label: "contains" });
  await first.getByLabel("Value").fill(token);
  await page.getByRole("button", { name: "Add filter" }).click();
  const second = page.getByRole("group", { name: "Filter 2" });
  await second.getByLabel("Field").selectOption({ label: "Priority" });
  await second.getByLabel("Operator").selectOption({ label: "equals" });
  await second.getByLabel("Value").selectOption("High");
  await page.getByRole("button", { name: "Apply filters" }).click();

  await expect(dataRows(grid)).toHaveCount(1);
  await expect(grid.getByRole("link", { name: `${token} high` })).toBeVisible();
  expect(new URL(page.url()).search).toContain(encodeURIComponent(token).slice(0, 8));

  await page.reload();
  await expect(dataRows(grid)).toHaveCount(1);
  await expect(grid.getByRole("link", { name: `${token} high` })).toBeVisible();
});

test("edits a cell inline; a server error stays at the cell and Escape cancels", async ({ page }) => {
  const subject = unique("Inline edit");
  const ticket = await admin.createTicket({ subject, priority: "Low" });

  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  await page.getByLabel("Search Ticket", { exact: true }).fill(subject);
  const grid = listGrid(page, "Ticket");
  const row = dataRows(grid).filter({ hasText: subject });
  await expect(dataRows(grid)).toHaveCount(1);

  const priority = await cellUnder(grid, row, "Priority");
  await priority.dblclick();
  await grid.getByLabel("Priority", { exact: true }).selectOption("High");
  await grid.getByLabel("Priority", { exact: true }).press("Enter");
  await expect(priority).toHaveText("High");
  await expect.poll(async () => (await admin.getTicket(ticket.id)).priority).toBe("High");

  // Urgent without an assignee is refused by the Ticket controller: the message shows beside
  // the cell, the editor stays open, Escape puts the saved value back.
  await priority.dblclick();
  const editor = grid.getByLabel("Priority", { exact: true });
  await editor.selectOption("Urgent");
  await editor.press("Enter");
  await expect(grid.getByRole("alert")).toContainText("An urgent ticket must be assigned to someone");
  await expect(editor).toBeVisible();
  await editor.press("Escape");
  await expect(priority).toHaveText("High");
  expect((await admin.getTicket(ticket.id)).priority).toBe("High");
});

test("a save in one browser shows the change banner in another that has the Ticket open", async ({ browser }) => {
  const subject = unique("Two browsers");
  const ticket = await admin.createTicket({ subject, priority: "Low" });
  const url = `/desk/app/Ticket/${ticket.id}`;

  const mine = await browser.newContext();
  const theirs = await browser.newContext();
  try {
    const me = await mine.newPage();
    const them = await theirs.newPage();
    await signIn(me, ADMIN);
    await signIn(them, MANAGER);
    const myStream = subscribed(me, "Ticket", ticket.id);
    await me.goto(url);
    await them.goto(url);
    await expect(me.getByRole("heading", { level: 1, name: subject })).toBeVisible();
    await expect(them.getByRole("heading", { level: 1, name: subject })).toBeVisible();
    await myStream; // the server knows my page follows this Ticket before they save it

    await them.getByLabel("Priority", { exact: true }).selectOption("High");
    await them.getByRole("button", { name: "Save", exact: true }).click();
    await expect(savedNotice(them)).toBeVisible();

    const banner = me.getByRole("alert").filter({ hasText: "This document was changed by someone else" });
    await expect(banner).toBeVisible();
    await expect(me.getByLabel("Priority", { exact: true })).toHaveValue("Low");
    await banner.getByRole("button", { name: "Reload" }).or(me.getByRole("button", { name: "Reload", exact: true })).first().click();
    await expect(me.getByLabel("Priority", { exact: true })).toHaveValue("High");
    await expect(banner).toBeHidden();
  } finally {
    await mine.close();
    await theirs.close();
  }
});
