/**
 * Issue 7, fourth acceptance point (large lists): the list of a DocType with 10,000 documents
 * (global-setup imports them) opens with one page fetched, not all of them; the next page is
 * one more request of one page; 500 rows per page are fetched in one request and drawn
 * through virtualization (far fewer rows in the DOM than on the page).
 */
import { expect, test, type Page, type Request } from "@playwright/test";
import { ADMIN, BULK_TICKETS, apiAs, signIn } from "./support/demo";
import { dataRows, listGrid } from "./support/ui";

interface ListBody {
  data: unknown[];
  has_more: boolean;
  total: number | null;
}

/** Every GET of the Ticket list endpoint (/api/v1/Ticket, not /api/v1/Ticket/{id} or /count). */
function recordListRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && url.pathname === "/api/v1/Ticket") seen.push(request);
  });
  return seen;
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
}

test("the list of 10,000 Tickets opens with one page fetched, and pages one request at a time", async ({ page }) => {
  const admin = await apiAs(ADMIN);
  const { count } = await admin.json<{ count: number }>("GET", "/api/v1/Ticket/count");
  expect(count, "global-setup imported the bulk Tickets").toBeGreaterThanOrEqual(BULK_TICKETS);
  await admin.dispose();

  await signIn(page, ADMIN);
  const requests = recordListRequests(page);
  await page.goto("/desk/app/Ticket");
  const grid = listGrid(page, "Ticket");
  await expect(dataRows(grid).first()).toBeVisible();
  await settle(page);

  expect(requests.map((r) => r.url()), "one list request").toHaveLength(1);
  const first = new URL(requests[0].url());
  const limit = Number(first.searchParams.get("limit"));
  expect(limit).toBeGreaterThan(0);
  expect(limit).toBeLessThanOrEqual(500);
  const body = (await (await requests[0].response())!.json()) as ListBody;
  expect(body.data.length, "one page of rows came back").toBe(limit);
  expect(body.has_more).toBe(true);
  const rendered = await dataRows(grid).count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThanOrEqual(limit);

  // The next page is one more request for one page.
  await page.getByRole("button", { name: "Next page" }).click();
  await expect.poll(() => requests.length).toBe(2);
  await settle(page);
  expect(requests).toHaveLength(2);
  const second = new URL(requests[1].url());
  expect(Number(second.searchParams.get("limit"))).toBe(limit);
  expect(second.searchParams.get("offset") ?? second.searchParams.get("after"), "the second page starts after the first").toBeTruthy();
  expect(new URL(page.url()).search, "the page is in the URL").not.toBe("");
});

test("500 rows per page: one request, drawn through virtualization", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/desk/app/Ticket");
  const grid = listGrid(page, "Ticket");
  await expect(dataRows(grid).first()).toBeVisible();
  await settle(page);

  const requests = recordListRequests(page);
  await page.getByLabel("Rows per page").selectOption("500");
  await expect.poll(() => requests.length).toBeGreaterThanOrEqual(1);
  await settle(page);
  expect(requests).toHaveLength(1);
  expect(Number(new URL(requests[0].url()).searchParams.get("limit"))).toBe(500);
  const body = (await (await requests[0].response())!.json()) as ListBody;
  expect(body.data).toHaveLength(500);

  const rendered = await dataRows(grid).count();
  expect(rendered, "only the rows in view (and a few more) are in the DOM").toBeLessThan(100);
  expect(rendered).toBeGreaterThan(0);

  // Scrolling to the end draws the last rows of the page.
  await grid.locator("xpath=..").evaluate((scroller) => scroller.scrollTo(0, scroller.scrollHeight));
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect(grid.locator('[role="row"][aria-rowindex="501"]')).toBeVisible();
  expect(await dataRows(grid).count()).toBeLessThan(100);
});
