import { test, expect, Page } from "@playwright/test";
import { column, hydrated, signIn, stageId } from "../tests/helpers";

/** Open deals the board's what-if figures over. */
const OPEN_DEALS = Number(process.env.TEND_BENCH_OPEN_DEALS ?? 10_000);
/** Imagined changes timed. */
const CHANGES = 30;

const STAGES = ["Prospect/lead", "Qualification", "Proposal", "Commitment"];
const SOURCES = ["Website", "Referral", "Cold call", "Event", "Partner"];

/** Adds deals through the board's own create call, 25 at a time, from no page (an open
 * board would follow each of them live). */
async function addOpenDeals(page: Page, count: number) {
  const stages = await Promise.all(STAGES.map((s) => stageId(page, s)));
  const origin = new URL(page.url()).origin;
  await page.goto("about:blank");
  const today = new Date();
  for (let start = 0; start < count; start += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, (_, k) => {
        const i = start + k;
        const close = new Date(today.getTime() + ((i * 37) % 150) * 86_400_000);
        return page.request
          .post("/api/create_deal", {
            headers: { Origin: origin },
            data: {
              draft: {
                title: `Bench deal ${i}`,
                value: 100_000 + ((i * 7919) % 5_000_000),
                currency: "SEK",
                stage_id: stages[i % stages.length],
                expected_close_date: close.toISOString().slice(0, 10),
                lead_source: SOURCES[i % SOURCES.length],
              },
              value_text: null,
            },
          })
          .then((r) => expect(r.ok()).toBe(true));
      }),
    );
  }
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
}

test("what-if recompute on the board", async ({ page }) => {
  await signIn(page);
  await addOpenDeals(page, OPEN_DEALS);
  await page.goto("/board");
  await hydrated(page);
  const bar = page.getByRole("region", { name: "What-if mode" });
  const counts = await page.locator(".column-head .count").allTextContents();
  const open = counts.reduce((n, c) => n + Number(c), 0);

  const started = Date.now();
  await page.getByRole("button", { name: "What if…" }).click();
  await expect(bar).toContainText("Move, win, lose or re-date", { timeout: 120_000 });
  const ready = Date.now() - started;
  const took = async () => Number(await bar.getAttribute("data-took-ms"));
  const first = await took();

  // Each change: a card moved one stage on from the keyboard, figured again at once.
  const times: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const from = column(page, STAGES[i % 3]);
    const card = from.locator(".card").first();
    await card.focus();
    await page.keyboard.press("Shift+ArrowRight");
    await expect(bar).toContainText(`${i + 1} change${i ? "s" : ""} imagined.`);
    times.push(await took());
  }
  console.log(
    `what-if, ${open} open deals, Chromium ${page.context().browser()!.version()}:\n` +
      `  start (model fetched and read, first figures): ${ready} ms, of which figuring ${first.toFixed(1)} ms\n` +
      `  each imagined move, figured again (${CHANGES}): ${summary(times)}`,
  );
});
