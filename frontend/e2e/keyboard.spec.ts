/**
 * Issue 7, second acceptance point (keyboard): a keyboard-only user creates and saves a
 * document. Only page.keyboard is used, and the page counts pointer events to prove it: from
 * the list, Tab to "New Ticket", type the subject, choose the Customer in the Link combobox
 * with the arrow keys, change a select, add a comment row, save with Ctrl+S.
 */
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, apiAs, signIn, unique } from "./support/demo";
import { hasVisibleFocus, savedNotice, tabTo } from "./support/ui";

async function pointerEvents(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __pointerEvents: number }).__pointerEvents);
}

test("keyboard only: creates and saves a Ticket with a Link, a select and a comment row", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __pointerEvents: number };
    w.__pointerEvents = 0;
    for (const type of ["pointerdown", "mousedown", "wheel"]) {
      window.addEventListener(type, (event) => {
        if (event.isTrusted) w.__pointerEvents += 1;
      }, true);
    }
  });
  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");

  const newTicket = page.getByRole("link", { name: "New Ticket" });
  await tabTo(page, newTicket);
  expect(await hasVisibleFocus(newTicket), "the focused link shows a focus indicator").toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "New Ticket" })).toBeVisible();

  const subject = unique("Keyboard only");
  await tabTo(page, page.getByLabel("Subject", { exact: true }));
  await page.keyboard.type(subject);

  const customer = page.getByRole("combobox", { name: "Customer", exact: true });
  await tabTo(page, customer);
  await page.keyboard.type("Glob");
  await expect(page.getByRole("option", { name: "Globex", exact: true })).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(customer).toHaveValue("Globex");

  const priority = page.getByLabel("Priority", { exact: true });
  await tabTo(page, priority);
  await expect(priority).toHaveValue("Medium");
  await page.keyboard.press("ArrowDown");
  await expect(priority).toHaveValue("High");

  await tabTo(page, page.getByRole("button", { name: "Add row" }));
  await page.keyboard.press("Enter");
  const body = page.getByLabel("Body row 1", { exact: true });
  await tabTo(page, body);
  await page.keyboard.type("Typed without a mouse");

  await page.keyboard.press("Control+s");
  await expect(savedNotice(page)).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  expect(await pointerEvents(page), "no mouse or pointer event reached the page").toBe(0);

  const admin = await apiAs(ADMIN);
  const saved = await admin.findTicket(subject);
  expect(saved, "the Ticket is on the server").toBeDefined();
  expect(saved!.customer).toBe(await admin.customerId("Globex"));
  expect(saved!.priority).toBe("High");
  expect(saved!.comments.map((comment) => comment.body)).toEqual(["Typed without a mouse"]);
  await admin.dispose();
});
