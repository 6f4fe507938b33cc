import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { column, hydrated, signIn } from "./helpers";

/** Serious or critical WCAG 2.2 AA violations on the page as it is now. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

test.describe("every page can be used by everyone (axe-core, WCAG 2.2 AA)", () => {
  // axe reads every element of a board of hundreds of cards: seconds per page.
  test.setTimeout(90_000);

  test("sign-in, board, deal, pipelines and a missing page have no serious violation @everywhere", async ({ page }) => {
    await page.goto("/login");
    await hydrated(page);
    expect(await violations(page), "/login").toEqual([]);

    await signIn(page);
    expect(await violations(page), "/board").toEqual([]);

    // What-if, with a card's menu open on its imagined close date.
    await page.getByRole("button", { name: "What if…" }).click();
    await expect(page.getByRole("region", { name: "What-if mode" })).toContainText("Move, win, lose");
    await page.locator(".card-menu").first().click();
    await expect(page.getByLabel("Expected close")).toBeVisible();
    expect(await violations(page), "/board in what-if").toEqual([]);
    // Leaving the page ends what-if; nothing was saved.
    await page.goto("/board");
    await hydrated(page);

    await page.locator(".card-title").first().click();
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    expect(await violations(page), "a deal").toEqual([]);

    await page.goto("/admin/pipelines");
    await hydrated(page);
    expect(await violations(page), "/admin/pipelines").toEqual([]);

    await page.goto("/present");
    await hydrated(page);
    expect(await violations(page), "/present").toEqual([]);

    await page.goto("/since");
    await hydrated(page);
    expect(await violations(page), "/since").toEqual([]);

    await page.goto("/forecast");
    await hydrated(page);
    expect(await violations(page), "/forecast").toEqual([]);

    await page.goto("/as-of");
    await hydrated(page);
    expect(await violations(page), "/as-of").toEqual([]);

    await page.goto("/reports");
    await hydrated(page);
    expect(await violations(page), "/reports").toEqual([]);

    await page.goto("/leads/new");
    await hydrated(page);
    await page.getByLabel("Email").fill("not an email");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByText("Name is required")).toBeVisible();
    expect(await violations(page), "/leads/new with its errors shown").toEqual([]);

    await page.goto("/leads");
    await hydrated(page);
    await page.getByRole("listitem", { name: "Maja Ek" }).getByRole("button", { name: "Qualify" }).click();
    await expect(page.getByRole("button", { name: "Create deal" })).toBeVisible();
    // Opening the form scrolled the page: cards then pass under the sticky top bar,
    // which axe counts against their targets. Read the page from its top, as it opens.
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await violations(page), "/leads with a qualify form open").toEqual([]);

    await page.goto("/no/such/page");
    expect(await violations(page), "a missing page").toEqual([]);
  });

  test("the meeting-room screen has no serious violation in any scene @everywhere", async ({ page }) => {
    await signIn(page);
    const made = await page.request.post("/api/create_display", {
      data: { name: `Axe ${Date.now()}${Math.random()}`, pipeline: "Sales", scenes: "", seconds_per_scene: 5 },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(made.ok(), await made.text()).toBe(true);
    const path: string = await made.json();
    await page.goto(path);
    await hydrated(page);
    for (const scene of ["Pipeline", "This month and quarter", "Recent wins", "Leaderboard"]) {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(scene, { timeout: 8_000 });
      expect(await violations(page), `the screen's ${scene}`).toEqual([]);
    }
  });

  test("the board's forms and menus have no serious violation when open @everywhere", async ({ page }) => {
    await signIn(page);
    const first = column(page, "Prospect/lead");
    await first.getByRole("button", { name: "+ Add deal" }).click();
    await expect(first.getByLabel("Title")).toBeVisible();
    expect(await violations(page), "quick add open").toEqual([]);

    await page.getByRole("button", { name: /^Move / }).first().click();
    await expect(page.getByRole("menuitem", { name: "Lost…" })).toBeVisible();
    expect(await violations(page), "move menu open").toEqual([]);
    await page.getByRole("menuitem", { name: "Lost…" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    expect(await violations(page), "lost dialog open").toEqual([]);
  });

  test("people, organizations, duplicates and the pickers have no serious violation @everywhere", async ({ page }) => {
    await signIn(page);
    await page.goto("/people");
    await hydrated(page);
    await page.getByRole("button", { name: "+ New person" }).click();
    await page.locator("form.new-contact").getByRole("button", { name: "Save" }).click();
    await expect(page.locator(".field-error")).toContainText("Name");
    expect(await violations(page), "/people with the new-person form's errors").toEqual([]);

    await page.getByRole("list", { name: "People" }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    await hydrated(page);
    await page.getByRole("button", { name: /organization$/ }).first().click();
    await page.getByLabel("Find an organization").fill("a");
    await expect(page.locator(".picker-list button").first()).toBeVisible();
    expect(await violations(page), "a person, with the organization picker open").toEqual([]);

    await page.goto("/organizations");
    await hydrated(page);
    expect(await violations(page), "/organizations").toEqual([]);
    await page.getByRole("list", { name: "Organizations" }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    expect(await violations(page), "an organization").toEqual([]);

    await page.goto("/duplicates");
    await hydrated(page);
    await page.getByRole("button", { name: "Keep this one" }).first().click();
    await expect(page.getByRole("group", { name: "Confirm the merge" })).toBeVisible();
    expect(await violations(page), "/duplicates with a merge to confirm").toEqual([]);
  });

  test("the import page, with a checked file's columns and errors, has no serious violation @everywhere", async ({ page }) => {
    await signIn(page);
    await page.goto("/import");
    await hydrated(page);
    expect(await violations(page), "/import").toEqual([]);
    const file = "Deal - Title;Deal - Stage;Deal - Label\nA11y deal;Nowhere;x\n";
    await page.getByLabel(/^CSV file/).setInputFiles({ name: "deals.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await expect(page.locator(".import-errors")).toContainText("Line 2");
    expect(await violations(page), "/import with a checked file").toEqual([]);
  });
});
