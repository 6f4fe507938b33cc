import { test, Page } from "@playwright/test";
import { card, hydrated, signIn } from "../tests/helpers";

const out = (name: string) => `screenshots/${name}.png`;

async function settle(page: Page) {
  await hydrated(page);
  await page.waitForTimeout(300);
}

test("board, deal page and sign-in at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/login");
  await settle(page);
  await page.screenshot({ path: out("signin-desktop") });
  await signIn(page);
  await settle(page);
  await page.screenshot({ path: out("board-desktop") });
  await page.locator(".card").first().getByRole("button").click();
  await page.locator(".menu").waitFor();
  await page.screenshot({ path: out("board-menu-desktop") });
  await page.keyboard.press("Escape");
  await page.locator(".card-title").nth(3).click();
  await settle(page);
  await page.screenshot({ path: out("deal-desktop") });
  await page.goto("/admin/pipelines");
  await settle(page);
  await page.screenshot({ path: out("admin-desktop") });
});

test("what-if on the board at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await settle(page);
  await page.getByRole("button", { name: "What if…" }).click();
  const bar = page.getByRole("region", { name: "What-if mode" });
  await bar.getByText("Move, win, lose").waitFor();
  // Imagine the two largest-looking deals in Commitment won, and one moved on.
  const commitment = page.getByRole("listitem", { name: "Commitment", exact: true });
  for (let i = 0; i < 2; i++) {
    await commitment.locator(".card-menu").first().click();
    await page.getByRole("menuitem", { name: "Won" }).click();
  }
  const proposal = page.getByRole("listitem", { name: "Proposal", exact: true });
  await proposal.locator(".card").first().focus();
  await page.keyboard.press("Shift+ArrowRight");
  await bar.getByText("3 changes imagined.").waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out("board-what-if-desktop") });
});

test("what-if on the board at phone size", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signIn(page);
  await settle(page);
  await page.getByRole("button", { name: "What if…" }).tap();
  const bar = page.getByRole("region", { name: "What-if mode" });
  await bar.getByText("Move, win, lose").waitFor();
  await page.locator(".card-menu").first().tap();
  await page.getByRole("menuitem", { name: "Won" }).tap();
  await bar.getByText("1 change imagined.").waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out("board-what-if-phone") });
  await context.close();
});

test("board on a wide meeting-room screen", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signIn(page);
  await settle(page);
  await page.screenshot({ path: out("board-1920") });
});

test("board on the narrowest phone", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signIn(page);
  await settle(page);
  await page.screenshot({ path: out("board-360") });
  await context.close();
});

test("board at phone size", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signIn(page);
  await settle(page);
  await page.screenshot({ path: out("board-phone") });
  await page.locator(".card").first().getByRole("button").tap();
  await page.locator(".menu").waitFor();
  await page.screenshot({ path: out("board-menu-phone") });
  await page.goto("/login");
  await context.close();
});

test("the meeting-room screen at 1080p: board, numbers and a live win", async ({ page, browser }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  const made = await page.request.post("/api/create_display", {
    data: { name: `Meeting room ${Date.now()}`, pipeline: "Sales", scenes: "board,numbers,wins", seconds_per_scene: 3600 },
    headers: { Origin: new URL(page.url()).origin },
  });
  const path: string = await made.json();
  // A colleague has the board open too.
  const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const erik = await other.newPage();
  await signIn(erik, "erik@example.com");
  await page.reload();
  await settle(page);
  await page.waitForTimeout(500);
  await page.screenshot({ path: out("board-live-desktop") });

  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await screen.newPage();
  await tv.goto(path);
  await settle(tv);
  await tv.waitForTimeout(800);
  await tv.screenshot({ path: out("tv-board-1920") });
  // A deal won while the screen watches.
  const open = page.locator(".card").first();
  const id = (await open.getByRole("link").getAttribute("href"))!.split("/").pop();
  const win = await page.request.post("/api/change_deal", {
    data: { id, version: await currentVersion(page, id!), change: "win" },
    headers: { Origin: new URL(page.url()).origin },
  });
  if (!win.ok()) throw new Error(await win.text());
  await tv.locator(".tv-celebration").waitFor();
  await tv.waitForTimeout(900);
  await tv.screenshot({ path: out("tv-win-1920") });
  await screen.close();
  await other.close();
});

test("the meeting-room leaderboard at 1080p", async ({ page, browser }) => {
  await signIn(page);
  const made = await page.request.post("/api/create_display", {
    data: { name: `Leaderboard ${Date.now()}`, pipeline: "Sales", scenes: "leaders", seconds_per_scene: 3600 },
    headers: { Origin: new URL(page.url()).origin },
  });
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await screen.newPage();
  await tv.goto(await made.json());
  await settle(tv);
  await tv.waitForTimeout(800);
  await tv.screenshot({ path: out("tv-leaders-1920") });
  await screen.close();
});

/** A deal's current version, from the board's own data on its page. */
async function currentVersion(page: Page, id: string): Promise<number> {
  const r = await page.request.post("/api/deal_page", {
    data: { id },
    headers: { Origin: new URL(page.url()).origin },
  });
  const body = await r.json();
  return body.deal.version;
}

test("since last meeting at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page);
  await page.goto("/since");
  await settle(page);
  await page.screenshot({ path: out("since-desktop") });
});

test("since last meeting at phone size", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/since");
  await settle(page);
  await page.screenshot({ path: out("since-phone") });
  await context.close();
});

test("the forecast page at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page);
  await page.goto("/forecast");
  await settle(page);
  await page.screenshot({ path: out("forecast-desktop"), fullPage: true });
});

test("the forecast page at phone size", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/forecast?period=quarter");
  await settle(page);
  await page.screenshot({ path: out("forecast-phone") });
  await context.close();
});

test("the meeting-room numbers at 1080p", async ({ page, browser }) => {
  await signIn(page);
  const made = await page.request.post("/api/create_display", {
    data: { name: `Numbers ${Date.now()}`, pipeline: "Sales", scenes: "numbers", seconds_per_scene: 3600 },
    headers: { Origin: new URL(page.url()).origin },
  });
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await screen.newPage();
  await tv.goto(await made.json());
  await settle(tv);
  await tv.waitForTimeout(800);
  await tv.screenshot({ path: out("tv-numbers-1920") });
  await screen.close();
});

test("the reports page at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page);
  await page.goto("/reports");
  await settle(page);
  await page.screenshot({ path: out("reports-desktop"), fullPage: true });
});

test("the reports page at phone size", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/reports");
  await settle(page);
  await page.screenshot({ path: out("reports-phone"), fullPage: true });
  await context.close();
});

test("the board as of a day at desktop size", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page);
  const day = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  await page.goto(`/as-of?day=${day}`);
  await settle(page);
  await page.screenshot({ path: out("as-of-desktop") });
});

test("the meeting-room since-last-meeting scene at 1080p", async ({ page, browser }) => {
  await signIn(page);
  const made = await page.request.post("/api/create_display", {
    data: { name: `Since ${Date.now()}`, pipeline: "Sales", scenes: "since", seconds_per_scene: 3600 },
    headers: { Origin: new URL(page.url()).origin },
  });
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await screen.newPage();
  await tv.goto(await made.json());
  await settle(tv);
  await tv.screenshot({ path: out("tv-since-1920") });
  await screen.close();
});

test("leads: the capture page on a phone and the inbox on a desktop", async ({ browser, page }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const phone = await context.newPage();
  await signIn(phone);
  await phone.getByRole("link", { name: "+ Lead" }).tap();
  await settle(phone);
  await phone.getByText("Paste a signature or vCard").tap();
  await phone.getByLabel("Paste here to fill the fields").fill(
    "Best regards,\nLinnea Dahl\nHead of Purchasing | Skärgårdsbolaget AB\nMobile: +46 70 555 12 34\nlinnea.dahl@skargardsbolaget.se\nwww.skargardsbolaget.se",
  );
  await phone.getByLabel("Value (optional)").fill("85 000");
  await phone.evaluate(() => window.scrollTo(0, 0));
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: out("capture-phone") });
  await context.close();

  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await page.goto("/leads");
  await settle(page);
  await page.screenshot({ path: out("leads-desktop") });
});

test("people: the list, a person's page, duplicates, and a person on a phone", async ({ browser, page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await page.goto("/people");
  await settle(page);
  await page.screenshot({ path: out("people-desktop") });
  await page.getByRole("link", { name: "Karin Ek" }).first().click();
  await settle(page);
  await page.screenshot({ path: out("person-desktop") });
  await page.goto("/duplicates");
  await settle(page);
  await page.screenshot({ path: out("duplicates-desktop") });

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const phone = await context.newPage();
  await signIn(phone);
  await phone.goto("/people");
  await settle(phone);
  await phone.screenshot({ path: out("people-phone") });
  await context.close();
});

test("import: a HubSpot file checked, with its columns and an error, on desktop and phone", async ({ browser, page }) => {
  const file =
    "Deal Name,Amount,Deal Stage,Close Date,Associated Company,Deal Owner,Hubspot Score\n" +
    "Fjord Logistics rollout,48000,Proposal,2027-01-15,Fjord Logistics AB,anna@example.com,82\n" +
    "Northwind pilot,12000,Qualification,2027-02-01,Northwind,anna@example.com,40\n" +
    "Kvarn & Co upgrade,9 500,Negotiation,2027-01-20,Kvarn & Co,anna@example.com,65\n";
  const choose = async (p: Page) => {
    await p.goto("/import");
    await settle(p);
    await p.getByLabel(/^CSV file/).setInputFiles({ name: "hubspot-deals.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await p.locator(".import-report").waitFor();
    await p.waitForTimeout(300);
  };
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await choose(page);
  await page.screenshot({ path: out("import-desktop"), fullPage: true });

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const phone = await context.newPage();
  await signIn(phone);
  await choose(phone);
  await phone.screenshot({ path: out("import-phone") });
  await context.close();
});

test("capturing a lead with no connection on a phone", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const phone = await context.newPage();
  await signIn(phone);
  await phone.goto("/leads/new");
  await settle(phone);
  await phone.evaluate(() => navigator.serviceWorker.ready);
  await phone.reload();
  await settle(phone);
  await phone.waitForSelector("body[data-works-offline]", { state: "attached" });
  await context.setOffline(true);
  await phone.getByLabel("Name").fill("Henrik Dahl");
  await phone.getByLabel("Company").fill("Dahl Snickeri");
  await phone.getByLabel("Phone").fill("+46 70 321 54 76");
  await phone.getByRole("button", { name: "Save lead" }).click();
  await phone.getByRole("region", { name: /Waiting to be sent/ }).waitFor();
  await phone.evaluate(() => window.scrollTo(0, 0));
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: out("capture-offline-phone") });
  await context.setOffline(false);
  await phone.getByText("Sent now that you are online").waitFor({ timeout: 15_000 });
  await context.close();
});
