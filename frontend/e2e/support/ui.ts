/**
 * Finding things in the Desk by the accessible names of the UI contract (docs/desk.md), so
 * every test also checks that what it uses is labelled for assistive technology.
 */
import { expect, type Locator, type Page } from "@playwright/test";

/** The list's grid: role=grid (or table) named "{label} list". */
export function listGrid(page: Page, label: string): Locator {
  return page.getByRole("grid", { name: `${label} list` }).or(page.getByRole("table", { name: `${label} list` }));
}

/** The data rows of a list grid (the header row has no cells). */
export function dataRows(grid: Locator): Locator {
  return grid.getByRole("row").filter({ has: grid.page().getByRole("gridcell").or(grid.page().getByRole("cell")) });
}

/** The cell of `row` under the column whose header is named `column`. */
export async function cellUnder(grid: Locator, row: Locator, column: string): Promise<Locator> {
  const header = grid.getByRole("columnheader", { name: column, exact: true });
  const index = await header.getAttribute("aria-colindex");
  if (index) return row.locator(`[aria-colindex="${index}"]`);
  // A plain table: count the header's position.
  const position = await header.evaluate((el) => Array.from(el.parentElement?.children ?? []).indexOf(el));
  return row.getByRole("cell").nth(position);
}

/** The "Saved" toast/status the form shows after a save. */
export function savedNotice(page: Page): Locator {
  return page.getByRole("status").filter({ hasText: /^\s*Saved\b/ }).or(page.getByText("Saved", { exact: true })).first();
}

/** Types into a Link combobox and picks the option titled `option` with the mouse. */
export async function chooseLink(page: Page, label: string, query: string, option: string): Promise<void> {
  const box = page.getByRole("combobox", { name: label, exact: true });
  await box.fill(query);
  await page.getByRole("option", { name: option, exact: true }).click();
  await expect(box).toHaveValue(option);
}

/** Whether `locator` holds the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `target` has the focus: the keyboard user's
 * way to a control. Fails when it is not reached within `limit` presses.
 */
export async function tabTo(page: Page, target: Locator, { limit = 60, backwards = false } = {}): Promise<void> {
  await target.waitFor();
  for (let presses = 0; presses <= limit; presses++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
  }
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()} ${el.getAttribute("aria-label") ?? el.textContent?.slice(0, 40) ?? ""}` : "nothing";
  });
  throw new Error(`${target} not reached with ${limit} presses of Tab (focus is on ${focused})`);
}

/** Whether the focused element shows a focus indicator (an outline or a box shadow). */
export function hasVisibleFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return el.matches(":focus-visible") && (outline || style.boxShadow !== "none");
  });
}

/**
 * Resolves when the server acknowledges the page's realtime subscription to `doctype` (or to
 * one document of it): after that, a change someone else saves reaches the page. Call it
 * before the page opens its stream.
 */
export function subscribed(page: Page, doctype: string, id?: string, timeoutMs = 30_000): Promise<void> {
  const acknowledged = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no realtime subscription to ${doctype}${id ? ` ${id}` : ""} within ${timeoutMs / 1000} s`)), timeoutMs);
    page.once("close", () => clearTimeout(timer));
    page.on("websocket", (socket) => {
      socket.on("framereceived", ({ payload }) => {
        let message: { type?: string; action?: string; doctype?: string; id?: string };
        try {
          message = JSON.parse(String(payload));
        } catch {
          return;
        }
        if (message.type === "ack" && message.action === "subscribe" && message.doctype === doctype && (id === undefined || message.id === id)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  });
  acknowledged.catch(() => undefined); // reported where it is awaited, if it is
  return acknowledged;
}
