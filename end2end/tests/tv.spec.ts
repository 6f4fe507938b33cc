import { test, expect, Browser, Page } from "@playwright/test";
import { addDeal, changeDeal, dealId, hydrated, signIn, stageId, unique } from "./helpers";

/** Makes a screen link on the admin page; returns its name and full URL. */
async function makeScreenLink(page: Page, seconds = "3600"): Promise<{ name: string; url: string }> {
  await page.goto("/admin/pipelines");
  await hydrated(page);
  const name = unique("Meeting room");
  const form = page.locator(".screens form");
  await form.getByLabel("Screen name").fill(name);
  await form.getByLabel("Seconds per scene").fill(seconds);
  await form.getByRole("button", { name: "Make screen link" }).click();
  const link = page.getByLabel("The new screen's link (shown this once):");
  await expect(link).toHaveValue(/\/tv\/tv_[0-9a-f]{64}$/);
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Live");
  return { name, url: await link.inputValue() };
}

const tvColumn = (tv: Page, stage: string) => tv.locator(`.tv-column[data-stage="${stage}"]`);

/** Opens a screen link in a browser of its own (no session), at a TV's size. */
async function openScreen(browser: Browser, url: string, width = 1920, height = 1080): Promise<Page> {
  const screen = await browser.newContext({ viewport: { width, height } });
  const tv = await screen.newPage();
  const code: string[] = [];
  tv.on("request", (r) => {
    const file = new URL(r.url()).pathname;
    if (/\.(wasm|js)$/.test(file)) code.push(file);
  });
  await tv.goto(url);
  await hydrated(tv);
  await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Pipeline");
  // The screen runs on its own small wasm: none of the signed-in pages' code comes down.
  const files = [...new Set(code)];
  expect(files.filter((f) => /^\/pkg\/tv\.[0-9a-f]{16}\.(js|wasm)$/.test(f)).length, files.join(" ")).toBe(2);
  expect(files.filter((f) => !f.startsWith("/pkg/tv.")), files.join(" ")).toEqual([]);
  return tv;
}

/** Makes a display link for `scenes` that stays on each scene, and opens it at 1080p. */
async function screenOf(page: Page, browser: Browser, name: string, scenes: string) {
  const made = await page.request.post("/api/create_display", {
    data: { name: unique(name), pipeline: "Sales", scenes, seconds_per_scene: 3600 },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(made.ok(), await made.text()).toBe(true);
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await screen.newPage();
  await tv.goto(await made.json());
  await hydrated(tv);
  return { screen, tv };
}

test.describe("the meeting-room screen", () => {
  test("shows the board live without signing in, celebrates a win, and stops when its link is revoked", async ({ page, browser }) => {
    test.setTimeout(60_000);
    await signIn(page);
    const { name, url } = await makeScreenLink(page);

    // The screen: a browser with no session at all.
    const tv = await openScreen(browser, url);
    await expect(tv.locator(".tv-link")).toContainText("Live");
    // Full screen: nothing scrolls.
    const scrolls = await tv.evaluate(() => document.documentElement.scrollHeight > innerHeight || document.documentElement.scrollWidth > innerWidth);
    expect(scrolls).toBe(false);
    // It opens nothing else.
    expect((await tv.request.get("/board", { maxRedirects: 0 })).status()).toBe(303);

    await page.goto("/board");
    await hydrated(page);
    const before = Number((await tvColumn(tv, "Qualification").locator(".tv-count").textContent())!.split(" ")[0]);
    const title = unique("TV deal");
    await addDeal(page, "Prospect/lead", title, "75000");
    await expect(tvColumn(tv, "Prospect/lead").locator(".tv-card", { hasText: title })).toBeVisible();
    const id = await dealId(page, title);
    await changeDeal(page, id, 1, { move: await stageId(page, "Qualification") });
    await expect(tvColumn(tv, "Qualification").locator(".tv-card", { hasText: title })).toBeVisible();
    await expect(tvColumn(tv, "Qualification").locator(".tv-count")).toHaveText(`${before + 1} open`);

    await changeDeal(page, id, 2, "win");
    const party = tv.locator(".tv-celebration");
    await expect(party).toContainText("Won!");
    await expect(party).toContainText(title);
    await expect(tvColumn(tv, "Qualification").locator(".tv-card", { hasText: title })).toHaveCount(0);

    // Revoked on the admin page: the screen says so within 10 seconds.
    await page.goto("/admin/pipelines");
    await hydrated(page);
    await page.getByRole("button", { name: `Revoke ${name}` }).click();
    await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Revoked");
    await expect(tv.getByRole("alert")).toContainText("This screen's link was revoked", { timeout: 10_000 });
    const again = await tv.request.get(url);
    expect(again.status()).toBe(401);
    await tv.context().close();
  });

  test("rotates through its scenes and a wrong link gets an error page", async ({ page, browser }) => {
    await signIn(page);
    const { url } = await makeScreenLink(page, "5");
    const tv = await openScreen(browser, url, 3840, 2160);
    // Type scales with the screen: readable from across the room on 4K.
    const size = await tv.locator(".tv").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(48);
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("This month and quarter", { timeout: 8_000 });
    await expect(tv.locator(".tv-period")).toHaveCount(2);
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Recent wins", { timeout: 8_000 });
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Leaderboard", { timeout: 8_000 });
    await expect(tv.getByRole("region", { name: "Leaderboard" })).toBeVisible();
    const wrong = await tv.goto(url.replace(/tv_[0-9a-f]{6}/, "tv_000000"));
    expect(wrong!.status()).toBe(401);
    await expect(tv.getByRole("alert")).toContainText("revoked or is not valid");
    await tv.context().close();
  });

  test("the leaderboard counts a rep's deal moved forward and won, live", async ({ page, browser }) => {
    test.setTimeout(60_000);
    await signIn(page);
    const { screen, tv } = await screenOf(page, browser, "Leaders", "leaders");
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Leaderboard");
    await expect(tv.locator(".tv-link")).toContainText("Live");

    const anna = tv.getByRole("row", { name: /Anna Lindqvist/ });
    const figures = async () =>
      (await anna.count()) === 0
        ? { won: 0, moved: 0 }
        : {
            won: Number((await anna.locator(".tv-small").textContent())!.split(" ")[0]),
            moved: Number(await anna.locator(".tv-leader-moved").textContent()),
          };
    const before = await figures();

    await page.goto("/board");
    await hydrated(page);
    const title = unique("Leader deal");
    await addDeal(page, "Prospect/lead", title, "64000");
    const id = await dealId(page, title);
    await changeDeal(page, id, 1, { move: await stageId(page, "Proposal") });
    await expect(anna.locator(".tv-leader-moved")).toHaveText(String(before.moved + 1));
    await changeDeal(page, id, 2, "win");
    await expect(anna.locator(".tv-small")).toHaveText(before.won + 1 === 1 ? "1 deal" : `${before.won + 1} deals`);
    await screen.close();
  });

  test("the since-last-meeting scene counts a new deal live", async ({ page, browser }) => {
    await signIn(page);
    const { screen, tv } = await screenOf(page, browser, "Since", "since");
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Since last meeting");
    await expect(tv.locator(".tv-since-day")).toHaveText(/^Since \w+day \d+ \w+$/);
    const added = tv.locator(".tv-since-group").filter({ hasText: "Added" }).locator(".tv-since-count");
    const before = Number(await added.textContent());

    await page.goto("/board");
    await hydrated(page);
    await addDeal(page, "Prospect/lead", unique("Since scene"), "5000");
    await expect(added).toHaveText(String(before + 1));
    await screen.close();
  });

  test("a presenter drives the screen from a phone: next, previous, focus one stage, all again", async ({ page, browser }) => {
    await signIn(page);
    const { name, url } = await makeScreenLink(page);
    const tv = await openScreen(browser, url);
    await expect(tv.locator(".tv-link")).toContainText("Live");

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const remote = await phone.newPage();
    await signIn(remote);
    await remote.getByRole("link", { name: "Present" }).click();
    const controls = remote.getByRole("region", { name: new RegExp(name) });
    await expect(controls).toBeVisible();
    await controls.getByRole("button", { name: "Next ▶" }).tap();
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("This month and quarter");
    await controls.getByRole("button", { name: "◀ Previous" }).tap();
    await expect(tv.getByRole("heading", { level: 1 })).toHaveText("Pipeline");
    await controls.getByRole("button", { name: "Proposal" }).tap();
    await expect(tv.locator(".tv-column")).toHaveCount(1);
    await expect(tv.locator(".tv-column h2")).toHaveText("Proposal");
    await expect(tv.locator(".tv-paused")).toBeVisible();
    await controls.getByRole("button", { name: "All stages" }).tap();
    await expect(tv.locator(".tv-column")).toHaveCount(4);
    await expect(tv.locator(".tv-paused")).toHaveCount(0);
    await phone.close();
    await tv.context().close();
  });
});
