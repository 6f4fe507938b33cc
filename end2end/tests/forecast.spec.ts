import { test, expect, Page } from "@playwright/test";
import { addDeal, card, changeDeal, column, dealId, hydrated, signIn, unique } from "./helpers";

/** This month's forecast widget on the board. */
function monthTile(page: Page) {
  return page.getByRole("region", { name: "Forecast" }).locator(".forecast-tile").first();
}

test.describe("the forecast", () => {
  test("the board's month widget shows a win made in another browser without a reload @everywhere", async ({ page, browser, baseURL }) => {
    await signIn(page);
    const tile = monthTile(page);
    await expect(tile.getByRole("heading")).toHaveText(/\w+ \d{4}/);
    await expect(tile.locator("dt", { hasText: "Forecast" })).toBeVisible();
    await expect(tile.getByRole("img", { name: /of the goal won/ })).toBeVisible();
    const wonBefore = await tile.locator("dd.won").textContent();

    const context = await browser.newContext({ baseURL });
    const other = await context.newPage();
    await signIn(other, "erik@example.com");
    const title = unique("Widget win");
    await addDeal(other, "Commitment", title, "123456");
    const id = await dealId(other, title);
    await changeDeal(other, id, 1, "win");

    await expect(tile.locator("dd.won")).not.toHaveText(wonBefore!, { timeout: 2_000 });
    await context.close();
  });

  test("what-if: an imagined win and close date change the widgets, save nothing, and leaving restores the board @everywhere", async ({ page }) => {
    await signIn(page);
    const title = unique("What if");
    await addDeal(page, "Commitment", title, "654321");
    const tile = monthTile(page);
    const won = await tile.locator("dd.won").textContent();
    const forecast = await tile.locator("dt:has-text('Forecast') + dd").textContent();

    await page.getByRole("button", { name: "What if…" }).click();
    const bar = page.getByRole("region", { name: "What-if mode" });
    await expect(bar).toContainText("nothing here is saved");
    await expect(bar).toContainText("Move, win, lose or re-date deals");
    const imaginedMonth = monthTile(page);
    await expect(imaginedMonth.locator("dd.won")).toHaveText(won!);
    await expect(column(page, "Commitment").getByRole("button", { name: "+ Add deal" })).toHaveCount(0);

    // A close date at the end of this month puts the deal in the month's sum by close date.
    const byDate = bar.locator("dd.weighted").first();
    const byDateBefore = await byDate.textContent();
    const deal = card(column(page, "Commitment"), title);
    await deal.getByRole("button", { name: `Move ${title}` }).click();
    const now = new Date();
    const endOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
    await page.getByLabel("Expected close").fill(endOfMonth.toISOString().slice(0, 10));
    await expect(byDate).not.toHaveText(byDateBefore!);
    await expect(bar).toContainText("1 change imagined.");

    await page.getByRole("menuitem", { name: "Won" }).click();
    await expect(deal).toHaveCount(0);
    await expect(bar).toContainText("2 changes imagined.");
    await expect(imaginedMonth.locator("dd.won")).not.toHaveText(won!);
    await expect(imaginedMonth.locator("dt:has-text('Forecast') + dd")).not.toHaveText(forecast!);

    await bar.getByRole("button", { name: "Leave what-if" }).click();
    await expect(bar).toHaveCount(0);
    await expect(card(column(page, "Commitment"), title)).toBeVisible();
    await expect(tile.locator("dd.won")).toHaveText(won!);

    // Nothing was saved: a fresh board shows the deal open where it was.
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Commitment"), title)).toBeVisible();
    await expect(monthTile(page).locator("dd.won")).toHaveText(won!);
  });

  test("the forecast page shows each period's range, and an admin sets and removes a goal @everywhere", async ({ page }) => {
    await signIn(page);
    await page.getByRole("link", { name: "Forecast", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forecast");
    await hydrated(page);
    await expect(page.locator(".forecast-method")).toContainText(/finished deals/);
    const table = page.getByRole("table").first();
    await expect(table.getByRole("rowheader").first()).toHaveText(/^\d{4}-\d{2} · [A-Z]{3}$/);
    await expect(page.getByRole("img", { name: /won .*forecast .*likely/ }).first()).toBeVisible();
    // The table as a spreadsheet: the same rows.
    const href = await page.getByRole("link", { name: "Download CSV" }).first().getAttribute("href");
    const csv = await page.request.get(href!);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^period,currency,weighted,expected,p10,p50,p90,won,goal/);
    expect(lines.length - 1).toBe(await table.locator("tbody tr").count());

    await page.getByRole("combobox", { name: "By", exact: true }).selectOption("quarter");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/period=quarter/);
    await hydrated(page);
    await expect(table.getByRole("rowheader").first()).toHaveText(/^\d{4}-Q\d · [A-Z]{3}$/);

    // A goal for next quarter, in euros, for the team.
    const goals = page.getByRole("region", { name: "Goals" });
    const next = await goals.getByLabel("Quarter").locator("option").nth(1).textContent();
    await goals.getByLabel("Quarter").selectOption(next!);
    await goals.getByLabel("Currency").fill("EUR");
    await goals.getByLabel("Amount").fill("lots");
    await goals.getByRole("button", { name: "Save goal" }).click();
    await expect(goals.locator(".field-error")).toContainText(/amount/i);
    await goals.getByLabel("Amount").fill("250000");
    await goals.getByRole("button", { name: "Save goal" }).click();
    const row = table.getByRole("row", { name: new RegExp(`^${next} · EUR`) });
    await expect(row.getByRole("cell").last()).toHaveText(/250,000/);
    await goals.getByRole("button", { name: `Remove the goal for The team in ${next}` }).click();
    await expect(row.getByRole("cell").last()).toHaveText("–");
  });

  test("the track record shows what was said before last month began against what was won in it @everywhere", async ({ page }) => {
    await signIn(page);
    await page.goto("/forecast");
    await hydrated(page);
    const record = page.getByRole("region", { name: "Track record" });
    await expect(record.locator(".record-held")).toHaveText(
      /^What was won fell inside the likely range: \d+ of \d+ 1 week before, \d+ of \d+ 4 weeks before, \d+ of \d+ 8 weeks before\.$/,
    );
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const month = day(first).slice(0, 7);
    const row = record.getByRole("row", { name: new RegExp(`^${month} · SEK`) });
    const cells = row.getByRole("cell");
    await expect(cells).toHaveCount(4);
    for (let lead = 1; lead <= 3; lead++) {
      await expect(cells.nth(lead)).toHaveText(/(kr|SEK).*–.*(✓ inside|✗ outside)$|^No snapshot$/);
    }
    // The record as a spreadsheet: one line per forecast written down.
    const download = await record.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    const lines = (await (await page.request.get(download!)).text()).trim().split("\r\n");
    expect(lines[0]).toBe("period,currency,won,weeks_before,taken_on,weighted,expected,p10,p90,method,inside");
    const said = await record.locator("tbody td.num:not(.strong):not(.said-none)").count();
    expect(lines.length - 1).toBe(said);
    // What was won is what the reports page counts as won in that month.
    const csv = await page.request.get(`/summary.csv?from=${day(first)}&to=${day(last)}`);
    const won = (await csv.text()).split("\r\n").find((l) => l.startsWith("money,,SEK,won_value,"));
    const minor = Number(won!.split(",").pop());
    const whole = Math.floor(minor / 100).toLocaleString("en-US");
    const cents = minor % 100 ? `.${String(minor % 100).padStart(2, "0")}` : "";
    await expect(cells.first()).toContainText(`${whole}${cents}`);
  });

  test("a rep commits a deal closing this month and the forecast counts it under Commit", async ({ page }) => {
    await signIn(page);
    const month = new Date().toISOString().slice(0, 7);
    const today = new Date().toISOString().slice(0, 10);
    // This month in SEK, the Commit column (after Won, Forecast, Likely range, Weighted).
    const committed = async () => {
      await page.goto("/forecast");
      await hydrated(page);
      const row = page.getByRole("table").first().getByRole("row", { name: new RegExp(`^${month} · SEK`) });
      const text = (await row.getByRole("cell").nth(4).textContent())!;
      return parseFloat(text.replace(/[^\d.]/g, ""));
    };
    const before = await committed();

    await page.goto("/board");
    await hydrated(page);
    const title = unique("Committed deal");
    await addDeal(page, "Prospect/lead", title, "777000");
    await page.goto(`/deals/${await dealId(page, title)}`);
    await hydrated(page);
    const category = page.getByRole("combobox", { name: "Forecast category", exact: true });
    await expect(category.locator("option:checked")).toHaveText("From its chance (Pipeline)");
    await page.getByLabel("Expected close date").fill(today);
    await category.selectOption("commit");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Saved.");
    await expect(page.locator(".timeline")).toContainText("forecast category");

    expect(await committed()).toBe(before + 777000);
  });
});
