/**
 * Realtime (issue 7 §6): an open list follows what others create, change and delete, through
 * the live provider on the server's WebSocket stream, without a reload.
 */
import { expect, test } from "@playwright/test";
import { ADMIN, MANAGER, apiAs, signIn, unique } from "./support/demo";
import { cellUnder, dataRows, listGrid, subscribed } from "./support/ui";

test("an open list shows Tickets others create, change and delete, without a reload", async ({ page }) => {
  const token = unique("Live list");
  await signIn(page, ADMIN);
  const live = subscribed(page, "Ticket");
  await page.goto("/desk/app/Ticket");
  await live;
  await page.getByLabel("Search Ticket", { exact: true }).fill(token);
  const grid = listGrid(page, "Ticket");
  await expect(page.getByText("No Ticket matches")).toBeVisible();

  const manager = await apiAs(MANAGER);
  try {
    const ticket = await manager.createTicket({ subject: `${token} one`, priority: "Low" });
    const row = dataRows(grid).filter({ hasText: `${token} one` });
    await expect(row).toHaveCount(1);

    await manager.updateTicket(ticket.id, { priority: "High", _version: ticket._version });
    await expect(await cellUnder(grid, row, "Priority")).toHaveText("High");

    await manager.json("DELETE", `/api/v1/Ticket/${ticket.id}`);
    await expect(row).toHaveCount(0);
  } finally {
    await manager.dispose();
  }
});
