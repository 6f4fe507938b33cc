import { test, expect } from "@playwright/test";
import { addDeal, changeDeal, dealId, hydrated, signIn, stageId, unique } from "./helpers";

test.describe("since last meeting", () => {
  test("lists what happened since a day, group by group with totals, and a later day leaves it out @everywhere", async ({ page }) => {
    await signIn(page);
    const title = unique("Since deal");
    await addDeal(page, "Prospect/lead", title, "42000");
    const id = await dealId(page, title);
    await changeDeal(page, id, 1, { move: await stageId(page, "Proposal") });

    await page.getByRole("link", { name: "Since last meeting" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Since last meeting");
    await hydrated(page);
    const added = page.getByRole("region", { name: /^Added/ });
    await expect(added.getByRole("link", { name: title })).toBeVisible();
    const forward = page.getByRole("region", { name: /^Moved forward/ });
    const row = forward.getByRole("row", { name: new RegExp(title) });
    await expect(row).toContainText("Prospect/lead → Proposal");
    await expect(forward.locator(".since-count")).not.toHaveText("0");
    // The groups as a spreadsheet: the new deal's line among them.
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    const csv = await page.request.get(href!);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("group,deal_id,title,from_stage,to_stage,value,currency,at");
    expect(text).toContain(`Moved forward,${id},${title},Prospect/lead,Proposal,4200000,SEK,`);

    // Since tomorrow would be in the future: since today still lists it.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("Since", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(new RegExp(`since=${today}`));
    await expect(page.getByRole("region", { name: /^Added/ }).getByRole("link", { name: title })).toBeVisible();
    await expect(page.getByRole("region", { name: /^Won/ })).toBeVisible();

    // A day that is not one is refused with an error page, not a blank one.
    const bad = await page.goto("/since?since=2020-13-40");
    expect(bad!.status()).toBe(422);
    await expect(page.getByRole("alert")).toContainText(/since/i);
  });

  test("the board as of a day shows the deals as they stood then, read-only @everywhere", async ({ page }) => {
    await signIn(page);
    const title = unique("As-of deal");
    await addDeal(page, "Qualification", title, "31000");
    await page.getByRole("link", { name: "Since last meeting" }).click();
    await hydrated(page);
    await page.getByRole("link", { name: /^See the board as it stood on / }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^The board as of \d{4}-\d{2}-\d{2}$/);
    await hydrated(page);
    // A week ago the deal did not exist yet.
    await expect(page.getByRole("region", { name: /^Qualification/ })).toBeVisible();
    await expect(page.getByRole("link", { name: title })).toHaveCount(0);

    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("Day", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(new RegExp(`day=${today}`));
    const column = page.getByRole("region", { name: /^Qualification/ });
    const card = column.getByRole("listitem").filter({ has: page.getByRole("link", { name: title }) });
    await expect(card).toContainText("31,000");
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    const csv = await (await page.request.get(href!)).text();
    expect(csv).toMatch(new RegExp(`^as_of,stage_id,stage,count,currency,value,weighted\r\n${today},`));
    expect(csv).toContain(",Qualification,");
    // Read-only: nothing to drag, add or change.
    await expect(page.getByRole("button", { name: /Add deal/ })).toHaveCount(0);

    const bad = await page.goto("/as-of?day=2999-01-01");
    expect(bad!.status()).toBe(422);
    await expect(page.getByRole("alert")).toContainText(/as of/i);
  });

  test("an admin sets the team's meeting day and since last meeting looks back to it", async ({ page }) => {
    await signIn(page);
    await page.goto("/admin/pipelines");
    await hydrated(page);
    const sales = page.getByRole("region", { name: "Pipeline Sales" });
    const meeting = sales.getByRole("combobox", { name: "Sales meeting on", exact: true });
    await meeting.selectOption("0");
    await expect(page.getByRole("status")).toContainText("Meeting day saved.");

    // The last Monday before today (a week back on a Monday), in UTC.
    const now = new Date();
    const back = ((now.getUTCDay() + 6) % 7) || 7;
    const monday = new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    await page.goto("/since");
    await hydrated(page);
    await expect(page.getByText("The team meets on Mondays")).toBeVisible();
    await expect(page.getByLabel("Since", { exact: true })).toHaveValue(monday);

    await page.goto("/admin/pipelines");
    await hydrated(page);
    await meeting.selectOption("");
    await expect(page.getByRole("status")).toContainText("Meeting day saved.");
  });
});
