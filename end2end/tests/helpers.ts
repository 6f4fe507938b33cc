import { expect, Page, Locator } from "@playwright/test";

export const DEMO_EMAIL = "anna@example.com";

/** The environment a Tend for the browser stories runs with (the release build). */
export function tendEnv(root: string, database: string, port: number): Record<string, string> {
  return {
    DATABASE_URL: database,
    TEND_ADDR: `127.0.0.1:${port}`,
    LEPTOS_OUTPUT_NAME: "tend",
    LEPTOS_SITE_ROOT: `${root}/target/site`,
    LEPTOS_SITE_PKG_DIR: "pkg",
    LEPTOS_ENV: "PROD",
    LEPTOS_HASH_FILES: "true",
    RUST_LOG: "warn",
  };
}
export const DEMO_PASSWORD = "tend-demo-2026";

/** Waits until the page is hydrated: before that, clicks reach no handler. */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated]", { state: "attached" });
  // Pages in the app's frame may hydrate later, once their own chunk has arrived.
  if ((await page.locator("header.topbar").count()) > 0) {
    await page.waitForSelector("body[data-page-ready]", { state: "attached" });
  }
}

export async function signIn(page: Page, email = DEMO_EMAIL) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/board/);
  await hydrated(page);
}

export function column(page: Page, stage: string): Locator {
  return page.getByRole("listitem", { name: stage, exact: true });
}

export function card(scope: Page | Locator, title: string): Locator {
  return scope.getByRole("listitem", { name: new RegExp(`^${escape(title)},`) });
}

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A title no other test uses. */
export function unique(what: string) {
  return `${what} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Adds a deal with the quick form at the top of `stage`'s column. */
export async function addDeal(page: Page, stage: string, title: string, value = "12500") {
  const col = column(page, stage);
  await col.getByRole("button", { name: "+ Add deal" }).click();
  await col.getByLabel("Title").fill(title);
  await col.getByLabel("Value").fill(value);
  await col.getByLabel("Organization").fill("Playwright AB");
  await col.getByRole("button", { name: "Add deal", exact: true }).click();
  await expect(card(col, title)).toBeVisible();
}

/** Signs in on a touch phone, adds `title` to Prospect/lead and long-presses it until
 * it lifts; returns the CDP session that holds the finger down and where it is. */
export async function liftNewDeal(page: Page, title: string) {
  await signIn(page);
  await addDeal(page, "Prospect/lead", title);
  const box = (await card(column(page, "Prospect/lead"), title).boundingBox())!;
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [start] });
  await page.waitForTimeout(700);
  return { cdp, start };
}

/** The id of the deal `title` on the board. */
export async function dealId(page: Page, title: string): Promise<string> {
  return (await card(page, title).getByRole("link").getAttribute("href"))!.split("/").pop()!;
}

/** The id of `stage`'s column on the board. */
export async function stageId(page: Page, stage: string): Promise<string> {
  return (await column(page, stage).getAttribute("data-stage-id"))!;
}

/** Asks the server to change a deal as another screen would, outside this page. */
export async function changeDeal(page: Page, id: string, version: number, change: unknown) {
  const r = await page.request.post("/api/change_deal", {
    data: { id, version, change },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(r.ok(), await r.text()).toBe(true);
}

/** The board's connection state as it shows it. */
export function linkState(page: Page): Locator {
  return page.locator(".live-bar .link");
}
