import { test, expect } from "@playwright/test";
import { signIn } from "../tests/helpers";

/** Opening the capture page cold, timed. */
const RUNS = Number(process.env.TEND_BENCH_RUNS ?? 5);

/** Lighthouse's mobile profile ("Slow 4G" and a mid-range phone's CPU): 150 ms round
 * trips, 1.6 Mbit/s down, 750 kbit/s up, the CPU four times slower than this one. */
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CPU_SLOWDOWN = 4;

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test("the capture page on a throttled phone", async ({ browser }) => {
  const rows: { shown: number; usable: number; saved: number; bytes: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    // A new context each run: nothing cached, as on a phone opening Tend for the first time.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    const page = await context.newPage();
    await signIn(page);
    await page.goto("about:blank");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.clearBrowserCache");
    await cdp.send("Network.emulateNetworkConditions", NETWORK);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
    });

    const started = Date.now();
    await page.goto("/leads/new", { waitUntil: "commit" });
    await page.getByLabel("Name").waitFor();
    const shown = Date.now() - started;
    await page.waitForSelector("body[data-page-ready]", { state: "attached", timeout: 60_000 });
    const usable = Date.now() - started;
    await page.getByLabel("Name").fill(`Bench lead ${run}`);
    await page.getByLabel("Phone").fill("+46 70 123 45 67");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByRole("status")).toContainText("Saved Bench lead", { timeout: 60_000 });
    const saved = Date.now() - started;
    rows.push({ shown, usable, saved, bytes });
    console.log(`run ${run + 1}: form shown ${shown} ms, usable (hydrated) ${usable} ms, a lead saved ${saved} ms, ${(bytes / 1024).toFixed(1)} KB over the wire`);
    await context.close();
  }
  const m = (k: "shown" | "usable" | "saved" | "bytes") => median(rows.map((r) => r[k]));
  console.log(
    `\n| capture page, ${RUNS} cold opens, Slow 4G + CPU ÷${CPU_SLOWDOWN}, median | form shown | usable (hydrated) | first lead saved (typed by a script) | bytes over the wire |\n` +
      `|---|---|---|---|---|\n| /leads/new | ${m("shown")} ms | ${m("usable")} ms | ${m("saved")} ms | ${(m("bytes") / 1024).toFixed(1)} KB |`,
  );
});
