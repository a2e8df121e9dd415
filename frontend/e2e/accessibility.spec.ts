/**
 * Issue 7, second acceptance point (accessibility): an axe-core scan of the list and form
 * views reports no serious or critical violations, in the light and the dark theme; and the
 * theme toggle switches, and remembers, the theme.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, apiAs, signIn } from "./support/demo";
import { dataRows, listGrid } from "./support/ui";

const DEMO_TICKET = "Rocket skates explode on start-up";

async function seriousViolations(page: Page, what: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}

for (const theme of ["light", "dark"] as const) {
  test(`axe finds no serious or critical violations in the list and form views (${theme})`, async ({ browser }) => {
    const admin = await apiAs(ADMIN);
    const ticket = await admin.findTicket(DEMO_TICKET);
    await admin.dispose();

    const context = await browser.newContext({ colorScheme: theme });
    try {
      const page = await context.newPage();
      await signIn(page, ADMIN);
      const problems: string[] = [];

      await page.goto("/desk/app/Ticket");
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      await expect(dataRows(listGrid(page, "Ticket")).first()).toBeVisible();
      problems.push(...(await seriousViolations(page, "list")));

      await page.getByRole("button", { name: "Filters" }).click();
      await page.getByRole("button", { name: "Add filter" }).click();
      problems.push(...(await seriousViolations(page, "list with the filter builder")));

      await page.goto(`/desk/app/Ticket/${ticket!.id}`);
      await expect(page.getByRole("heading", { level: 1, name: DEMO_TICKET })).toBeVisible();
      await expect(page.getByLabel("Body row 2", { exact: true })).toBeVisible();
      problems.push(...(await seriousViolations(page, "form")));

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
}

test("the theme toggle switches to dark and back, and the choice is remembered", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "light" });
  try {
    const page = await context.newPage();
    await signIn(page, ADMIN);
    await page.goto("/desk/app");
    const html = page.locator("html");
    await expect(html).toHaveAttribute("data-theme", "light");

    await page.getByRole("button", { name: "Switch to dark theme" }).click();
    await expect(html).toHaveAttribute("data-theme", "dark");
    expect(await page.evaluate(() => localStorage.getItem("fm-theme"))).toBe("dark");
    await page.reload();
    await expect(html).toHaveAttribute("data-theme", "dark");

    await page.getByRole("button", { name: "Switch to light theme" }).click();
    await expect(html).toHaveAttribute("data-theme", "light");
  } finally {
    await context.close();
  }
});
