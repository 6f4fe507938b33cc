import { test, expect } from "@playwright/test";
import { signIn } from "./helpers";

test("the app's files are hashed, served compressed and cached for a year @everywhere", async ({ page, request }) => {
  await page.goto("/login");
  const html = await page.content();
  const files = [...html.matchAll(/\/pkg\/(tend\.[\w-]+\.(?:wasm|js|css))/g)].map((m) => m[1]);
  expect(files.some((f) => f.endsWith(".wasm"))).toBe(true);
  expect(files.some((f) => f.endsWith(".css"))).toBe(true);
  for (const file of new Set(files)) {
    const r = await request.get(`/pkg/${file}`, { headers: { "Accept-Encoding": "br" } });
    expect(r.status(), file).toBe(200);
    expect(r.headers()["content-encoding"], file).toBe("br");
    expect(r.headers()["cache-control"], file).toContain("immutable");
  }
});

test("the look-back pages' styles load with those pages only, compressed and cached for a year", async ({ page, request }) => {
  await signIn(page);
  const sheets = () => page.locator('head link[rel="stylesheet"]').evaluateAll((ls) => ls.map((l) => l.getAttribute("href")));
  expect((await sheets()).filter((h) => h!.startsWith("/styles/"))).toEqual([]);

  await page.getByRole("link", { name: "Forecast", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forecast");
  const href = (await sheets()).find((h) => h!.startsWith("/styles/pages-"));
  expect(href).toMatch(/^\/styles\/pages-[0-9a-f]{16}\.css$/);
  // Drawn by those styles: the track record's cells stack their lines.
  await expect(page.locator(".record-table .said").first()).toHaveCSS("display", "block");

  const r = await request.get(href!, { headers: { "Accept-Encoding": "br" } });
  expect(r.status()).toBe(200);
  expect(r.headers()["content-type"]).toContain("text/css");
  expect(r.headers()["content-encoding"]).toBe("br");
  expect(r.headers()["cache-control"]).toContain("immutable");
  expect((await request.get("/styles/pages-0000000000000000.css")).status()).toBe(404);
});
