import { test, expect, Browser, Page } from "@playwright/test";
import { spawn, ChildProcess } from "child_process";
import * as path from "path";
import {
  addDeal,
  card,
  changeDeal,
  column,
  dealId,
  hydrated,
  linkState,
  signIn,
  stageId,
  tendEnv,
  unique,
} from "./helpers";

const count = (page: Page, stage: string) => column(page, stage).locator(".count");
const value = (page: Page, stage: string) => column(page, stage).locator(".sums .value");
const weighted = (page: Page, stage: string) => column(page, stage).locator(".sums .weighted");

/** A second person's board, in a browser context of its own. */
async function secondBoard(browser: Browser, email: string, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

test.describe("the live board", () => {
  test("a drag on one board shows on another within a second, totals included", async ({ page, browser, baseURL }) => {
    await signIn(page);
    const other = await secondBoard(browser, "erik@example.com", baseURL!);
    await expect(linkState(page)).toHaveText("Live");
    await expect(linkState(other)).toHaveText("Live");
    // Each sees the other.
    await expect(page.locator(".viewers")).toContainText("Erik Johansson is here too");
    await expect(other.locator(".viewers")).toContainText("Anna Lindqvist is here too");

    const title = unique("Shared deal");
    await addDeal(page, "Prospect/lead", title, "40000");
    await expect(card(column(other, "Prospect/lead"), title)).toBeVisible({ timeout: 1_000 });

    const before = {
      count: await count(other, "Qualification").textContent(),
      value: await value(other, "Qualification").textContent(),
      weighted: await weighted(other, "Qualification").textContent(),
    };
    await card(column(page, "Prospect/lead"), title).dragTo(column(page, "Qualification"));
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
    const moved = card(column(other, "Qualification"), title);
    await expect(moved).toBeVisible({ timeout: 1_000 });
    await expect(moved).toHaveClass(/arrived/);
    await expect(card(column(other, "Prospect/lead"), title)).toHaveCount(0, { timeout: 1_000 });
    await expect(count(other, "Qualification")).toHaveText(String(Number(before.count) + 1), { timeout: 1_000 });
    await expect(value(other, "Qualification")).not.toHaveText(before.value!, { timeout: 1_000 });
    await expect(weighted(other, "Qualification")).not.toHaveText(before.weighted!, { timeout: 1_000 });
    // Both boards agree with each other, and with the server.
    for (const stage of ["Prospect/lead", "Qualification"]) {
      await expect(count(other, stage)).toHaveText((await count(page, stage).textContent())!);
      await expect(value(other, stage)).toHaveText((await value(page, stage).textContent())!);
    }
    await other.reload();
    await hydrated(other);
    await expect(value(other, "Qualification")).toHaveText((await value(page, "Qualification").textContent())!);

    // Erik closes his board: Anna's no longer lists him.
    await other.context().close();
    await expect(page.locator(".viewers")).toHaveCount(0, { timeout: 20_000 });
  });

  test("a won deal leaves every board, and a card in someone's hand is not pulled away", async ({ page }) => {
    await signIn(page);
    const title = unique("Held deal");
    await addDeal(page, "Prospect/lead", title);
    const id = await dealId(page, title);
    // The user opens the card's menu; meanwhile someone moves the deal elsewhere.
    await card(page, title).getByRole("button", { name: `Move ${title}` }).click();
    await expect(page.getByRole("menu")).toBeVisible();
    await changeDeal(page, id, 1, { move: await stageId(page, "Proposal") });
    await page.waitForTimeout(700);
    await expect(card(column(page, "Prospect/lead"), title)).toBeVisible();
    await expect(page.getByRole("menu")).toBeVisible();
    // Let go (close the menu): the change applies.
    await card(page, title).getByRole("button", { name: `Move ${title}` }).click();
    await expect(page.getByRole("menu")).toHaveCount(0);
    await expect(card(column(page, "Proposal"), title)).toBeVisible();
    await changeDeal(page, id, 2, "win");
    await expect(card(page, title)).toHaveCount(0);
  });

  test("on a phone the board receives moves made elsewhere @phone", async ({ page }) => {
    await signIn(page);
    await expect(linkState(page)).toHaveText("Live");
    const title = unique("Phone live deal");
    await addDeal(page, "Prospect/lead", title);
    const id = await dealId(page, title);
    await changeDeal(page, id, 1, { move: await stageId(page, "Commitment") });
    await expect(card(column(page, "Commitment"), title)).toBeAttached();
    await expect(card(column(page, "Prospect/lead"), title)).toHaveCount(0);
  });
});

// A Tend of this test's own, so that it can be stopped and started again.
const root = path.resolve(__dirname, "..", "..");
const port = 3190 + Math.floor(Math.random() * 9);

function startTend(database: string): ChildProcess {
  return spawn(`${root}/target/release/tend`, ["serve", "--demo"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, ...tendEnv(root, database, port) },
  });
}

async function healthy() {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("Tend did not start");
}

async function stop(tend: ChildProcess) {
  const exited = new Promise((r) => tend.once("exit", r));
  tend.kill("SIGTERM");
  await exited;
}

test.describe("a pipeline's stages", () => {
  test("a stage an admin adds, renames and deletes comes and goes on an open board without a reload", async ({ page, browser, baseURL }) => {
    await signIn(page);
    await expect(linkState(page)).toHaveText("Live");
    // Set on this page only: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    const admin = await secondBoard(browser, "anna@example.com", baseURL!);
    await admin.goto("/admin/pipelines");
    await hydrated(admin);
    const name = unique("Negotiation");
    const form = admin.locator("form.new-stage");
    await form.getByLabel("New stage").fill(name);
    await form.getByLabel("Win %").fill("65");
    await form.getByRole("button", { name: "Add stage" }).click();
    await expect(admin.getByRole("status")).toContainText("Stage added.");
    await expect(column(page, name)).toBeVisible();
    await expect(column(page, name)).toContainText("Weighted (65%)");

    const renamed = `${name} (renamed)`;
    const names = await admin.getByLabel("Stage name").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const row = admin.locator("table.stages tbody tr").nth(names.indexOf(name));
    await row.getByLabel("Stage name").fill(renamed);
    await row.getByRole("button", { name: "Save" }).click();
    await expect(admin.getByRole("status")).toContainText("Stage saved.");
    await expect(column(page, renamed)).toBeVisible();
    await expect(column(page, name)).toHaveCount(0);

    await row.getByRole("button", { name: "Delete" }).click();
    await expect(admin.getByRole("status")).toContainText("Stage deleted.");
    await expect(column(page, renamed)).toHaveCount(0);
    await expect(column(page, "Qualification")).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await admin.context().close();
  });
});

test.describe("a server restart", () => {
  test("the board says it lost the server, reconnects by itself and shows what it missed", async ({ browser }) => {
    test.setTimeout(90_000);
    const database = `sqlite://${root}/target/e2e/restart-${Date.now()}.db`;
    let tend = startTend(database);
    try {
      await healthy();
      const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
      const page = await context.newPage();
      await signIn(page);
      await expect(linkState(page)).toHaveText("Live");
      const title = unique("Restart deal");
      await addDeal(page, "Prospect/lead", title);
      const id = await dealId(page, title);
      const to = await stageId(page, "Proposal");

      await stop(tend);
      await expect(linkState(page)).toHaveText(/Reconnecting…|Offline since \d\d:\d\d/);
      await expect(linkState(page)).toHaveText(/Offline since \d\d:\d\d/, { timeout: 15_000 });
      // Back up; the change is made before this board is let through again.
      await page.route("**/api/live**", (route) => route.abort());
      tend = startTend(database);
      await healthy();
      await changeDeal(page, id, 1, { move: to });
      await page.unroute("**/api/live**");
      await expect(card(column(page, "Proposal"), title)).toBeVisible({ timeout: 20_000 });
      await expect(card(column(page, "Prospect/lead"), title)).toHaveCount(0);
      await expect(linkState(page)).toHaveText("Live");
      await context.close();
    } finally {
      await stop(tend);
    }
  });
});

test.describe("the live deal page", () => {
  test("shows someone else's change at once, and explains a save that came too late", async ({ page }) => {
    await signIn(page);
    const title = unique("Edited twice");
    await addDeal(page, "Prospect/lead", title);
    const id = await dealId(page, title);
    const proposal = await stageId(page, "Proposal");
    await page.goto(`/deals/${id}`);
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);

    // Nothing typed yet: a change from elsewhere simply shows.
    await changeDeal(page, id, 1, { move: proposal });
    await expect(page.locator(".stagebar [aria-current=step]")).toHaveText("Proposal");
    await expect(page.getByRole("status")).toContainText("changed this deal just now");

    // Now the user is typing when someone else changes the value.
    await page.getByLabel("Probability override (%)").fill("35");
    await changeDeal(page, id, 2, { edit: { value: 99900 } });
    const panel = page.getByRole("alert").filter({ hasText: "changed this deal while you were editing" });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole("row", { name: /Value/ })).toContainText("999");
    await expect(page.getByLabel("Probability override (%)")).toHaveValue("35");
    await panel.getByRole("button", { name: "Apply my changes on top" }).click();
    await expect(page.getByRole("status")).toContainText("your changes on top of theirs");
    await expect(page.getByLabel("Probability override (%)")).toHaveValue("35");
    await expect(page.getByLabel("Value")).toHaveValue("999");

    // A save based on a version that is gone is refused and explained.
    await page.route("**/api/live**", (route) => route.abort());
    await page.reload();
    await hydrated(page);
    await changeDeal(page, id, 4, { edit: { lead_source: "Trade fair" } });
    await page.getByLabel("Title").fill(`${title} (renamed)`);
    await page.getByRole("button", { name: "Save" }).click();
    const refused = page.getByRole("alert").filter({ hasText: "Not saved" });
    await expect(refused).toBeVisible();
    await expect(refused.getByRole("row", { name: /Lead source/ })).toContainText("Trade fair");
    await refused.getByRole("button", { name: "Apply my changes on top" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${title} (renamed)`);
    await expect(page.getByLabel("Lead source")).toHaveValue("Trade fair");
  });
});

test("on a phone no page is wider than the screen, the presenter's remote included @phone", async ({ page }) => {
  await signIn(page);
  for (const path of ["/board", "/present", "/admin/pipelines"]) {
    await page.goto(path);
    await hydrated(page);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    expect(wide, path).toBeLessThanOrEqual(0);
  }
  await page.goto("/present");
  await hydrated(page);
  await page.screenshot({ path: "test-results/present-phone.png", fullPage: true });
});
