/**
 * Issue 7, third acceptance point (validation): errors only the server can find appear next
 * to the right field. The rules are the helpdesk controllers' (docs/examples/helpdesk):
 * an urgent Ticket needs an assignee (field assigned_to), a Premium Customer a phone number
 * (field phone). Neither is in the JSON Schema, so the client cannot check them first.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMIN, apiAs, signIn, unique } from "./support/demo";
import { chooseLink, savedNotice } from "./support/ui";

/** The field shows `message` as its error: aria-invalid, and described by the message. */
async function expectFieldError(page: Page, field: Locator, message: string): Promise<void> {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
  const texts = await Promise.all(
    describedBy.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  expect(texts.join(" | "), "the field's aria-describedby points at the message").toContain(message);
}

test("a controller's error on a new Ticket is shown under its field, and nothing is saved", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket/new");
  const subject = unique("Urgent without owner");
  await page.getByLabel("Subject", { exact: true }).fill(subject);
  await chooseLink(page, "Customer", "Acme", "Acme Corp");
  await page.getByLabel("Priority", { exact: true }).selectOption("Urgent");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  const message = "An urgent ticket must be assigned to someone";
  const assignedTo = page.getByLabel("Assigned to", { exact: true });
  await expectFieldError(page, assignedTo, message);
  // Next to that field, not another one.
  await expect(page.getByLabel("Subject", { exact: true })).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Priority", { exact: true })).not.toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/desk\/app\/Ticket\/new$/);

  const admin = await apiAs(ADMIN);
  expect(await admin.findTicket(subject), "nothing was saved").toBeUndefined();

  await assignedTo.fill(ADMIN.email);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(savedNotice(page)).toBeVisible();
  await expect(page.getByText(message)).toHaveCount(0);
  expect((await admin.findTicket(subject))?.assigned_to).toBe(ADMIN.email);
  await admin.dispose();
});

test("a controller's error on an existing Customer is shown under its field", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const name = unique("Phoneless Ltd");
  const customer = await admin.json<{ id: string }>("POST", "/api/v1/Customer", { customer_name: name, email: "help@phoneless.example" });

  await signIn(page, ADMIN);
  await page.goto(`/desk/app/Customer/${customer.id}`);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await page.getByLabel("Tier", { exact: true }).selectOption("Premium");
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await expectFieldError(page, page.getByLabel("Phone", { exact: true }), "A Premium customer needs a phone number");
  await expect(page.getByLabel("Tier", { exact: true })).toHaveValue("Premium");
  const stored = await admin.json<{ tier: string }>("GET", `/api/v1/Customer/${customer.id}`);
  expect(stored.tier).toBe("Standard");
  await admin.dispose();
});
