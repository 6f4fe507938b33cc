import { test, expect } from "@playwright/test";
import { Page } from "@playwright/test";
import { column, hydrated, signIn, unique } from "./helpers";

/** The stage table's row whose name input holds `name`. */
async function stageRow(page: Page, name: string) {
  const names = await page.getByLabel("Stage name").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  const index = names.indexOf(name);
  expect(index, `a stage called ${name}`).toBeGreaterThanOrEqual(0);
  return page.locator("table.stages tbody tr").nth(index);
}

async function stageNames(page: Page) {
  return page.getByLabel("Stage name").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
}

test("an admin adds a stage with its probability and the board shows it", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Pipelines" }).click();
  await expect(page.getByRole("heading", { name: "Pipelines" })).toBeVisible();
  const name = unique("Negotiation");
  const newStage = page.locator("form.new-stage");
  await newStage.getByLabel("New stage").fill(name);
  await newStage.getByLabel("Win %").fill("65");
  await newStage.getByRole("button", { name: "Add stage" }).click();
  await expect(page.getByRole("status")).toContainText("Stage added.");
  await expect.poll(() => stageNames(page)).toContain(name);

  await page.goto("/board");
  await hydrated(page);
  await expect(column(page, name)).toBeVisible();
  await expect(column(page, name)).toContainText("Weighted (65%)");

  // An empty stage is deleted without naming a target.
  await page.goto("/admin/pipelines");
  await hydrated(page);
  await (await stageRow(page, name)).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("status")).toContainText("Stage deleted.");
  await expect.poll(() => stageNames(page)).not.toContain(name);
});

test("a stage that holds deals is not deleted without a target", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/pipelines");
  await hydrated(page);
  await (await stageRow(page, "Qualification")).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("status")).toContainText("choose a stage to move them to");
  await page.reload();
  await hydrated(page);
  expect(await stageNames(page)).toContain("Qualification");
});

test("signing out ends the session @everywhere", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/board");
  await expect(page).toHaveURL(/\/login/);
});

test("an admin adds a reason for losing deals and reps can pick it", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/pipelines");
  await hydrated(page);
  const reason = unique("Procurement stalled");
  const section = page.getByRole("region", { name: "Reasons for losing a deal" });
  await section.getByLabel("New reason").fill(reason);
  await section.getByRole("button", { name: "Add reason" }).click();
  await expect(section.getByText(reason)).toBeVisible();

  await page.goto("/board");
  await hydrated(page);
  await page.locator(".card").first().getByRole("button").click();
  await page.getByRole("menuitem", { name: "Lost…" }).click();
  await expect(page.getByRole("dialog").getByLabel("Reason").locator("option", { hasText: reason })).toHaveCount(1);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  await page.goto("/admin/pipelines");
  await hydrated(page);
  await section.getByRole("button", { name: `Remove ${reason}` }).click();
  await expect(section.getByText(reason)).toHaveCount(0);
});

test("an admin sets after how many untouched days the inbox flags a new lead", async ({ page }) => {
  await signIn(page);
  const setDays = async (days: string) => {
    await page.goto("/admin/pipelines");
    await hydrated(page);
    const section = page.getByRole("region", { name: "Leads that wait too long" });
    await section.getByLabel(/Flag a new lead/).fill(days);
    await section.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Saved: the inbox flags leads");
  };
  const flagged = page.locator(".lead.waiting");
  try {
    await setDays("90");
    await page.goto("/leads");
    await hydrated(page);
    await expect(page.locator(".lead").first()).toBeVisible();
    await expect(flagged).toHaveCount(0);

    // The demo's leads came in up to four days ago: a day untouched flags most of them.
    await setDays("1");
    await page.goto("/leads");
    await hydrated(page);
    await expect(flagged.first()).toContainText(/Untouched for \d+ days?/);
    expect(await flagged.count()).toBeGreaterThan(2);
  } finally {
    await setDays("3");
  }
});
