import { test, expect } from "@playwright/test";
import { addDeal, card, column, hydrated, liftNewDeal, signIn, unique, DEMO_EMAIL } from "./helpers";

test.describe("the pipeline board", () => {
  test("a wrong password is refused with a message @everywhere", async ({ page }) => {
    await page.goto("/login");
    await hydrated(page);
    await page.getByLabel("Email").fill(DEMO_EMAIL);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("do not match");
    await expect(page).toHaveURL(/\/login/);
  });

  test("a visitor who is not signed in is sent to sign in @everywhere", async ({ page }) => {
    await page.goto("/board");
    await expect(page).toHaveURL(/\/login/);
  });

  test("a rep signs in and sees the demo board with its stages and sums @everywhere", async ({ page }) => {
    await signIn(page);
    for (const stage of ["Prospect/lead", "Qualification", "Proposal", "Commitment"]) {
      await expect(column(page, stage)).toBeVisible();
    }
    const first = column(page, "Prospect/lead");
    await expect(first.locator(".count")).not.toHaveText("0");
    await expect(first.locator("dd.value")).toContainText(/SEK|€/);
    await expect(first.getByRole("listitem").first()).toBeVisible();
  });

  test("the board and a deal page load without errors in the console @everywhere", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await signIn(page);
    await page.locator(".card-title").first().click();
    await expect(page).toHaveURL(/\/deals\//);
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("a new deal, a move and a win change the counts without loading the board again", async ({ page }) => {
    await signIn(page);
    const loads: string[] = [];
    page.on("request", (r) => r.url().includes("/api/board") && loads.push(r.url()));
    const count = async (stage: string) => Number(await column(page, stage).locator(".count").textContent());
    const [leads, qualified] = [await count("Prospect/lead"), await count("Qualification")];
    const title = unique("Live deal");
    await addDeal(page, "Prospect/lead", title);
    await expect(column(page, "Prospect/lead").locator(".count")).toHaveText(String(leads + 1));
    await card(page, title).getByRole("button", { name: `Move ${title}` }).click();
    await page.getByRole("menuitem", { name: "Qualification" }).click();
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
    await expect(column(page, "Qualification").locator(".count")).toHaveText(String(qualified + 1));
    await expect(column(page, "Prospect/lead").locator(".count")).toHaveText(String(leads));
    await card(page, title).getByRole("button", { name: `Move ${title}` }).click();
    await page.getByRole("menuitem", { name: "Won" }).click();
    await expect(card(page, title)).toHaveCount(0);
    await expect(column(page, "Qualification").locator(".count")).toHaveText(String(qualified));
    expect(loads, "the board applied each change itself").toEqual([]);
    // And the server agrees with what the board worked out.
    await page.reload();
    await hydrated(page);
    await expect(column(page, "Qualification").locator(".count")).toHaveText(String(qualified));
    await expect(column(page, "Prospect/lead").locator(".count")).toHaveText(String(leads));
  });

  test("a new deal is created, dragged to the next stage and still there after reload", async ({ page }) => {
    await signIn(page);
    const title = unique("Dragged deal");
    await addDeal(page, "Prospect/lead", title);
    await card(column(page, "Prospect/lead"), title).dragTo(column(page, "Qualification"));
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
    await expect(card(column(page, "Prospect/lead"), title)).toHaveCount(0);
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
  });

  test("a deal moves with the keyboard and keeps focus", async ({ page }) => {
    await signIn(page);
    const title = unique("Keyboard deal");
    await addDeal(page, "Qualification", title);
    const c = card(column(page, "Qualification"), title);
    await c.focus();
    await page.keyboard.press("Shift+ArrowRight");
    await expect(card(column(page, "Proposal"), title)).toBeVisible();
    await expect(card(column(page, "Proposal"), title)).toBeFocused();
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Proposal"), title)).toBeVisible();
  });

  test("a move is taken back with Undo, and stays taken back after reload", async ({ page }) => {
    await signIn(page);
    const title = unique("Undone deal");
    await addDeal(page, "Qualification", title);
    await card(column(page, "Qualification"), title).focus();
    await page.keyboard.press("Shift+ArrowRight");
    await expect(card(column(page, "Proposal"), title)).toBeVisible();
    const offer = page.getByRole("status").filter({ hasText: `Moved “${title}” to Proposal.` });
    await offer.getByRole("button", { name: "Undo" }).click();
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
    await expect(card(column(page, "Proposal"), title)).toHaveCount(0);
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Qualification"), title)).toBeVisible();
  });

  test("losing a deal needs a reason, and the lost deal leaves the board", async ({ page }) => {
    await signIn(page);
    const title = unique("Lost deal");
    await addDeal(page, "Proposal", title);
    const c = card(column(page, "Proposal"), title);
    await c.getByRole("button", { name: `Move ${title}` }).click();
    await page.getByRole("menuitem", { name: "Lost…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Mark as lost" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Choose why");
    await dialog.getByLabel("Reason").selectOption("Price");
    await dialog.getByRole("button", { name: "Mark as lost" }).click();
    await expect(card(page, title)).toHaveCount(0);
    await page.reload();
    await hydrated(page);
    await expect(card(page, title)).toHaveCount(0);
  });

  test("the deal page edits a field and shows the history", async ({ page }) => {
    await signIn(page);
    const title = unique("Edited deal");
    await addDeal(page, "Prospect/lead", title, "1000");
    await card(page, title).getByRole("link", { name: title }).click();
    await expect(page.getByRole("heading", { name: title })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("Value").fill("2500");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Saved.");
    await expect(page.locator(".timeline")).toContainText("Changed value");
    await page.reload();
    await expect(page.locator(".deal-sub")).toContainText("2,500");
    await expect(page.locator(".timeline")).toContainText("Created in Prospect/lead");
  });

  test("on a phone a deal moves with the menu @phone", async ({ page }) => {
    await signIn(page);
    const title = unique("Phone deal");
    await addDeal(page, "Prospect/lead", title);
    await card(page, title).getByRole("button", { name: `Move ${title}` }).tap();
    await page.getByRole("menuitem", { name: "Commitment" }).tap();
    await expect(card(column(page, "Commitment"), title)).toBeAttached();
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Commitment"), title)).toBeAttached();
  });

  test("on a phone a long-press lifts a card and drags it to another column @phone", async ({ page }) => {
    const title = unique("Touch deal");
    const { cdp, start } = await liftNewDeal(page, title);
    // The next column shows at the right edge of a phone screen.
    const edge = page.viewportSize()!.width - 12;
    for (const step of [0.25, 0.5, 0.75, 1]) {
      const x = start.x + (edge - start.x) * step;
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y: start.y }] });
    }
    await expect(column(page, "Qualification")).toHaveClass(/drop-target/);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await expect(card(column(page, "Qualification"), title)).toBeAttached();
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, "Qualification"), title)).toBeAttached();
  });

  test("on a phone a card held at the screen's edge scrolls the board to the far columns @phone", async ({ page }) => {
    const title = unique("Far deal");
    const { cdp, start } = await liftNewDeal(page, title);
    const edge = page.viewportSize()!.width - 16;
    for (let i = 0; i < 40; i++) {
      const y = start.y + (i % 2);
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: edge, y }] });
    }
    expect(await page.locator(".board").evaluate((b) => b.scrollLeft)).toBeGreaterThan(400);
    await expect(column(page, "Proposal")).toBeInViewport();
    const target = page.locator(".column.drop-target");
    await expect(target).toHaveCount(1);
    const stage = (await target.locator("h2").textContent())!.trim();
    expect(["Proposal", "Commitment"]).toContain(stage);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await expect(card(column(page, stage), title)).toBeAttached();
    await page.reload();
    await hydrated(page);
    await expect(card(column(page, stage), title)).toBeAttached();
  });

  test("on a phone a quick swipe over a card is left to scroll the board and moves nothing @phone", async ({ page }) => {
    await signIn(page);
    const first = column(page, "Prospect/lead").getByRole("listitem").first();
    const name = await first.getAttribute("aria-label");
    const box = (await first.boundingBox())!;
    const y = box.y + box.height / 2;
    // Record whether anything stopped the browser from scrolling during the swipe.
    await page.evaluate(() => {
      (window as any).blocked = false;
      window.addEventListener("touchmove", (e) => ((window as any).blocked ||= e.defaultPrevented));
    });
    expect(await first.evaluate((el) => getComputedStyle(el).touchAction)).toContain("pan-x");
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: 300, y }] });
    for (let x = 280; x >= 40; x -= 40) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
    }
    await page.waitForTimeout(600);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    expect(await page.evaluate(() => (window as any).blocked)).toBe(false);
    await expect(page.locator(".card.lifted")).toHaveCount(0);
    await expect(column(page, "Prospect/lead").getByRole("listitem", { name: name!, exact: true })).toBeAttached();
  });

  test("a move the server refuses is undone with a message", async ({ page }) => {
    // This board is cut off from the live stream, so it still shows the deal open
    // after someone else wins it.
    await page.route("**/api/live**", (route) => route.abort());
    await signIn(page);
    const title = unique("Contested deal");
    await addDeal(page, "Prospect/lead", title);
    const id = (await card(page, title).getByRole("link").getAttribute("href"))!.split("/").pop();
    const won = await page.request.post("/api/change_deal", {
      data: { id, version: 1, change: "win" },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(won.ok()).toBe(true);
    await card(column(page, "Prospect/lead"), title).dragTo(column(page, "Proposal"));
    await expect(page.getByRole("status")).toContainText("The move was undone");
    await expect(card(column(page, "Prospect/lead"), title)).toBeVisible();
    await expect(card(column(page, "Proposal"), title)).toHaveCount(0);
  });

  test("the board narrows to one owner and to words in a title @everywhere", async ({ page }) => {
    await signIn(page);
    const title = unique("Findable deal");
    await addDeal(page, "Prospect/lead", title);
    await page.getByRole("searchbox", { name: "Search deals" }).fill(title);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/q=Findable/);
    await expect(card(page, title)).toBeAttached();
    await expect(page.locator(".card")).toHaveCount(1);
    await expect(column(page, "Prospect/lead").locator(".count")).toHaveText("1");

    await page.goto("/board");
    await hydrated(page);
    await page.getByLabel("Owner").selectOption({ label: "Erik Johansson" });
    await expect(page).toHaveURL(/owner=/);
    await expect(page.locator(".card").first()).toBeAttached();
    // The narrowed board replaces the whole one once it has loaded.
    const owners = () => page.locator(".card .avatar").evaluateAll((els) => els.map((e) => e.getAttribute("title")));
    await expect.poll(async () => new Set(await owners())).toEqual(new Set(["Erik Johansson"]));
  });
});
