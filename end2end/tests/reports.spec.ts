import { test, expect } from "@playwright/test";
import { addDeal, changeDeal, dealId, hydrated, signIn, unique } from "./helpers";

test.describe("the reports", () => {
  test("the reports page counts a new win, shows the funnel and filters by lead source @everywhere", async ({ page }) => {
    await signIn(page);
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reports");
    await hydrated(page);

    const tiles = page.getByRole("list", { name: "Headline figures" });
    const winRate = tiles.getByRole("listitem").filter({ hasText: "Win rate" });
    await expect(winRate.locator(".stat-value")).toHaveText(/^\d+(\.\d)?%$/);
    const before = Number((await winRate.locator(".stat-note").textContent())!.match(/^(\d+) won/)![1]);

    // The funnel: a bar chart described in words, and a row per stage.
    await expect(page.getByRole("img", { name: /^Funnel\. Prospect\/lead: \d+ reached/ })).toBeVisible();
    const funnel = page.getByRole("region", { name: "Funnel" });
    const rows = funnel.getByRole("table").locator("tbody tr");
    await expect(rows).toHaveCount(4);
    await expect(rows.first().getByRole("rowheader")).toHaveText("Prospect/lead");
    await expect(page.getByRole("img", { name: /^Open pipeline in SEK\./ })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Why deals were lost" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Lead sources" }).getByRole("rowheader").first()).toBeVisible();

    // The funnel as a spreadsheet: a line per stage.
    const href = await funnel.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    const csv = await page.request.get(href!);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("stage_id,stage,reached,moved_on,lost,open,conversion_pct,drop_off_pct");
    expect(lines.length - 1).toBe(4);

    // A win today counts at once.
    const title = unique("Report win");
    await page.goto("/board");
    await hydrated(page);
    await addDeal(page, "Commitment", title, "5000");
    await changeDeal(page, await dealId(page, title), 1, "win");
    await page.goto("/reports");
    await hydrated(page);
    await expect(winRate.locator(".stat-note")).toHaveText(new RegExp(`^${before + 1} won`));

    // One lead source.
    const source = page.getByRole("combobox", { name: "Lead source", exact: true });
    const first = (await source.locator("option").nth(1).textContent())!;
    await source.selectOption(first);
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/lead_source=/);
    await hydrated(page);
    const sources = page.getByRole("region", { name: "Lead sources" }).getByRole("rowheader");
    await expect(sources).toHaveText([first]);
  });

  test("a period that ends in the future is refused and named", async ({ page }) => {
    await signIn(page);
    const response = await page.goto("/reports?to=2999-01-01");
    expect(response!.status()).toBe(422);
    await expect(page.getByText(/To must be .* or earlier/)).toBeVisible();
  });
});
