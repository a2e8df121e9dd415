/**
 * Issue 7, first acceptance point (permissions): a user without permission sees neither the
 * DocType in the sidebar nor its documents. In the helpdesk demo a Support Agent reads
 * Customer, Contact and Ticket (his team's tickets only: row-level security); the framework's
 * own DocTypes (User, Webhook, ...) are for the System Manager.
 */
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, AGENT, apiAs, signIn, statusOf } from "./support/demo";

const HIDDEN_FROM_AGENT = ["User", "Webhook"];
const PERMISSION_MESSAGE = /not permitted|permission/i;

function sidebar(page: Page) {
  return page.getByRole("navigation", { name: "DocTypes" });
}

test("the admin's sidebar lists the framework's DocTypes", async ({ page }) => {
  // The control for the agent's test below: these links exist for someone who may read them.
  await signIn(page, ADMIN);
  await page.goto("/desk/app");
  for (const label of [...HIDDEN_FROM_AGENT, "Ticket", "Customer"]) {
    await expect(sidebar(page).getByRole("link", { name: label, exact: true })).toBeVisible();
  }
  await page.getByLabel("Search DocTypes").fill("Web");
  await expect(sidebar(page).getByRole("link", { name: "Webhook", exact: true })).toBeVisible();
  await expect(sidebar(page).getByRole("link", { name: "Ticket", exact: true })).toHaveCount(0);
});

test("an agent sees neither the DocTypes he may not read nor their documents", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const adminUser = await admin.json<{ data: { id: string }[] }>(
    "GET",
    `/api/v1/User?filters=${encodeURIComponent(JSON.stringify([["email", "=", ADMIN.email]]))}&fields=id`,
  );
  const adminId = adminUser.data[0].id;
  const billing = await admin.json<{ data: { id: string; subject: string }[] }>(
    "GET",
    `/api/v1/Ticket?filters=${encodeURIComponent(JSON.stringify([["subject", "=", "Invoice charged twice in March"]]))}&fields=id,subject`,
  );
  await admin.dispose();

  await signIn(page, AGENT);
  await page.goto("/desk/app");
  await expect(sidebar(page).getByRole("link", { name: "Ticket", exact: true })).toBeVisible();
  for (const label of HIDDEN_FROM_AGENT) {
    await expect(sidebar(page).getByRole("link", { name: label, exact: true })).toHaveCount(0);
  }
  await page.getByLabel("Search DocTypes").fill("Web");
  await expect(sidebar(page).getByRole("link", { name: /web/i })).toHaveCount(0);

  // Typing the address does not get round it: the list and the form say why they are empty.
  await page.goto("/desk/app/Webhook");
  await expect(page.getByText(PERMISSION_MESSAGE).first()).toBeVisible();
  await expect(page.getByRole("grid", { name: "Webhook list" })).toHaveCount(0);

  await page.goto(`/desk/app/User/${adminId}`);
  await expect(page.getByText(PERMISSION_MESSAGE).first()).toBeVisible();
  await expect(page.getByText(ADMIN.email)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);

  // Nor does the API, with the agent's own session.
  expect(await statusOf(page, "/api/v1/Webhook")).toBe(403);
  expect(await statusOf(page, `/api/v1/User/${adminId}`)).toBe(403);

  // Row-level security: a Billing ticket is not the Technical agent's to see.
  const ticket = billing.data[0];
  expect([403, 404]).toContain(await statusOf(page, `/api/v1/Ticket/${ticket.id}`));
  await page.goto(`/desk/app/Ticket/${ticket.id}`);
  await expect(page.getByRole("alert").or(page.getByText(/not found|not permitted|permission/i)).first()).toBeVisible();
  await expect(page.getByText(ticket.subject)).toHaveCount(0);
});
