/**
 * Issue 7, fifth acceptance point: screenshots of the list view and the form view, light and
 * dark, written by every e2e run to e2e/screenshots/{list,form}-{light,dark}.png. The list is
 * narrowed by its search box to bulk Tickets and the form is a demo Ticket, so the pictures do
 * not change with what other tests created.
 */
import { expect, test } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { ADMIN, apiAs, signIn } from "./support/demo";
import { dataRows, listGrid } from "./support/ui";

const DIR = fileURLToPath(new URL("./screenshots/", import.meta.url));
const DEMO_TICKET = "Rocket skates explode on start-up";

for (const theme of ["light", "dark"] as const) {
  test(`screenshots of the list and form views (${theme})`, async ({ browser }) => {
    const admin = await apiAs(ADMIN);
    const ticket = await admin.findTicket(DEMO_TICKET);
    await admin.dispose();

    const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await signIn(page, ADMIN);

      await page.goto("/desk/app/Ticket");
      const grid = listGrid(page, "Ticket");
      await page.getByLabel("Search Ticket", { exact: true }).fill("bulk 0990");
      await expect(dataRows(grid)).toHaveCount(10);
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `${DIR}list-${theme}.png`, animations: "disabled", caret: "hide" });

      await page.goto(`/desk/app/Ticket/${ticket!.id}`);
      await expect(page.getByRole("heading", { level: 1, name: DEMO_TICKET })).toBeVisible();
      await expect(page.getByRole("combobox", { name: "Customer", exact: true })).toHaveValue("Acme Corp");
      await expect(page.getByLabel("Body row 2", { exact: true })).toBeVisible();
      await page.waitForLoadState("networkidle");
      // The shell scrolls inside its main area, so a full-page shot shows no more than the
      // window: a taller window shows the whole form down to its comments.
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: `${DIR}form-${theme}.png`, animations: "disabled", caret: "hide" });
    } finally {
      await context.close();
    }
  });
}
