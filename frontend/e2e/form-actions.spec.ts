/**
 * The form view's guard and delete: leaving a form with unsaved changes asks first (in-app
 * navigation, the browser's Back button and closing the page), and Delete asks for a confirmation, then removes the
 * document and returns to the list.
 */
import { expect, test } from "@playwright/test";
import { ADMIN, apiAs, signIn, unique } from "./support/demo";

test("leaving a form with unsaved changes asks first", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const subject = unique("Guarded");
  const ticket = await admin.createTicket({ subject });

  await signIn(page, ADMIN);
  // Opened from the list, in the app: Back then stays in the Desk (the same document).
  await page.goto(`/desk/app/Ticket?q=${encodeURIComponent(subject)}`);
  await page.getByRole("grid").getByRole("link", { name: subject, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await page.getByLabel("Subject", { exact: true }).fill(`${subject} (edited)`);

  const customers = page.getByRole("navigation", { name: "DocTypes" }).getByRole("link", { name: "Customer", exact: true });
  await customers.click();
  const guard = page.getByRole("alertdialog", { name: "Leave without saving?" }).or(page.getByRole("dialog", { name: "Leave without saving?" }));
  await expect(guard).toBeVisible();
  await guard.getByRole("button", { name: "Stay" }).click();
  await expect(guard).toBeHidden();
  await expect(page.getByLabel("Subject", { exact: true })).toHaveValue(`${subject} (edited)`);
  await expect(page).toHaveURL(new RegExp(`/desk/app/Ticket/${ticket.id}$`));

  // The browser's Back button asks too, and Stay keeps the page and the edits.
  await page.evaluate(() => window.history.back());
  await expect(guard).toBeVisible();
  await guard.getByRole("button", { name: "Stay" }).click();
  await expect(guard).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/desk/app/Ticket/${ticket.id}$`));
  await expect(page.getByLabel("Subject", { exact: true })).toHaveValue(`${subject} (edited)`);

  // Closing the tab: the browser's own beforeunload prompt.
  const prompt = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const dialog = await prompt;
  expect(dialog.type()).toBe("beforeunload");
  await dialog.dismiss();
  expect(page.isClosed()).toBe(false);

  await customers.click();
  await guard.getByRole("button", { name: "Leave" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Customer" })).toBeVisible();
  expect((await admin.getTicket(ticket.id)).subject, "nothing was saved").toBe(subject);
  await admin.dispose();
});

test("Delete asks for a confirmation, then removes the document and returns to the list", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const subject = unique("Doomed");
  const ticket = await admin.createTicket({ subject });

  await signIn(page, ADMIN);
  await page.goto(`/desk/app/Ticket/${ticket.id}`);
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete ${subject}?` }).or(page.getByRole("dialog", { name: `Delete ${subject}?` }));
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  expect((await admin.http.get(`/api/v1/Ticket/${ticket.id}`)).status()).toBe(200);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ticket" })).toBeVisible();
  await expect.poll(async () => (await admin.http.get(`/api/v1/Ticket/${ticket.id}`)).status()).toBe(404);
  await admin.dispose();
});
