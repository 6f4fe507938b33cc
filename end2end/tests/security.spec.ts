import { test, expect, Page } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

/** The pages a signed-in person can open, found from the board. */
async function pagesOf(page: Page): Promise<string[]> {
  await page.locator(".card-title").first().click();
  await expect(page).toHaveURL(/\/deals\//);
  const deal = new URL(page.url()).pathname;
  return ["/board", deal, "/admin/pipelines", "/login"];
}

test.describe("what a browser is told to protect people", () => {
  test("every page carries the security headers, a nonce policy, and runs under it @everywhere", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => /Content Security Policy|Refused to/.test(m.text()) && violations.push(m.text()));
    await signIn(page);
    for (const path of await pagesOf(page)) {
      const response = (await page.goto(path))!;
      expect(response.status(), path).toBe(200);
      const h = response.headers();
      expect(h["x-content-type-options"], path).toBe("nosniff");
      expect(h["referrer-policy"], path).toBe("same-origin");
      const csp = h["content-security-policy"];
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toMatch(/script-src 'self' 'nonce-[\w-]+' 'wasm-unsafe-eval'/);
      expect(csp, path).not.toContain("unsafe-inline");
      // The page still hydrates: its own scripts run under the policy.
      await hydrated(page);
    }
    expect(violations).toEqual([]);
  });

  test("the session cookie cannot be read by scripts or sent by other sites @everywhere", async ({ page, context }) => {
    await signIn(page);
    const session = (await context.cookies()).find((c) => c.name.endsWith("tend_session"))!;
    expect(session).toBeDefined();
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Lax");
    expect(session.path).toBe("/");
    expect(await page.evaluate(() => document.cookie)).not.toContain("tend_session");
  });

  test("a page that fails answers with an error status and says what happened @everywhere", async ({ page }) => {
    await signIn(page);
    const missing = "0190c0de-0000-7000-8000-000000000000";
    const deal = (await page.goto(`/deals/${missing}`))!;
    expect(deal.status()).toBe(404);
    await expect(page.getByRole("alert")).toContainText("was not found");
    const board = (await page.goto(`/board?pipeline=${missing}`))!;
    expect(board.status()).toBe(404);
    await expect(page.getByRole("link", { name: "Back to the board" })).toBeVisible();
    const nowhere = (await page.goto("/no/such/page"))!;
    expect(nowhere.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });
});
