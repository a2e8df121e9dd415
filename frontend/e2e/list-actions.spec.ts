/**
 * The list view's other tools: row selection with bulk delete (after a confirmation) and CSV
 * export, sorting by a column header, and the column chooser, each kept in the URL.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { ADMIN, apiAs, signIn, unique } from "./support/demo";
import { dataRows, listGrid } from "./support/ui";

test("selects rows, exports them as CSV, and deletes them after confirming", async ({ page }) => {
  const token = unique("Bulk action");
  const admin = await apiAs(ADMIN);
  const tickets = [];
  for (const n of [1, 2, 3]) tickets.push(await admin.createTicket({ subject: `${token} ${n}` }));

  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  await page.getByLabel("Search Ticket", { exact: true }).fill(token);
  const grid = listGrid(page, "Ticket");
  await expect(dataRows(grid)).toHaveCount(3);

  await grid.getByRole("checkbox", { name: `Select ${tickets[0].name}` }).check();
  await grid.getByRole("checkbox", { name: `Select ${tickets[1].name}` }).check();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = readFileSync((await (await download).path())!, "utf8");
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toContain("Subject");
  expect(lines).toHaveLength(3);
  expect(csv).toContain(`${token} 1`);
  expect(csv).toContain(`${token} 2`);
  expect(csv).not.toContain(`${token} 3`);

  await page.getByRole("button", { name: "Delete selected" }).click();
  const confirm = page.getByRole("alertdialog").or(page.getByRole("dialog"));
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(dataRows(grid)).toHaveCount(1);
  await expect(grid.getByRole("link", { name: `${token} 3` })).toBeVisible();
  for (const gone of tickets.slice(0, 2)) {
    expect((await admin.http.get(`/api/v1/Ticket/${gone.id}`)).status()).toBe(404);
  }
  await admin.dispose();
});

test("sorts by a column header and chooses the columns; both stay in the URL", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  await page.getByLabel("Search Ticket", { exact: true }).fill("bulk 0990");
  const grid = listGrid(page, "Ticket");
  await expect(dataRows(grid)).toHaveCount(10);

  await grid.getByRole("button", { name: "Subject" }).click();
  await expect(grid.getByRole("columnheader", { name: "Subject" })).toHaveAttribute("aria-sort", "ascending");
  await expect(dataRows(grid).first()).toContainText("Cannot log in (bulk 09904)");
  await grid.getByRole("button", { name: "Subject" }).click();
  await expect(grid.getByRole("columnheader", { name: "Subject" })).toHaveAttribute("aria-sort", "descending");
  await expect(dataRows(grid).first()).toContainText("VPN drops (bulk 09907)");

  await page.getByRole("button", { name: "Columns" }).click();
  // click, then wait: the choice goes through the URL, so the box shows it a moment later.
  await page.getByRole("checkbox", { name: "Assigned to" }).click();
  await expect(page.getByRole("checkbox", { name: "Assigned to" })).toBeChecked();
  await page.getByRole("checkbox", { name: "Team" }).click();
  await expect(page.getByRole("checkbox", { name: "Team" })).not.toBeChecked();
  await expect(grid.getByRole("columnheader", { name: "Assigned to" })).toBeVisible();
  await expect(grid.getByRole("columnheader", { name: "Team" })).toHaveCount(0);

  await page.reload();
  await expect(dataRows(grid)).toHaveCount(10);
  await expect(dataRows(grid).first()).toContainText("VPN drops (bulk 09907)");
  await expect(grid.getByRole("columnheader", { name: "Assigned to" })).toBeVisible();
  await expect(grid.getByRole("columnheader", { name: "Team" })).toHaveCount(0);
});
