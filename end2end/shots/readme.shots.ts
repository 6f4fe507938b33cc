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
  await page.screenshot({ path: out("board-menu-desktop") });
  await page.keyboard.press("Escape");
  await page.locator(".card-title").nth(3).click();
  await settle(page);
  await page.screenshot({ path: out("deal-desktop") });
  await page.goto("/admin/pipelines");
  await settle(page);
  await page.screenshot({ path: out("admin-desktop") });
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
  await page.screenshot({ path: out("board-menu-phone") });
  await page.goto("/login");
  await context.close();
});
