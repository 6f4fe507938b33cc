import { test, expect } from "@playwright/test";

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
