import { test, expect, Page } from "@playwright/test";
import { card, column, hydrated, linkState, signIn, unique } from "./helpers";

/** The inbox's entry for the lead called `name`. */
function lead(page: Page, name: string) {
  return page.getByRole("listitem", { name, exact: true });
}

async function openCapture(page: Page) {
  await page.getByRole("link", { name: "+ Lead" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("New lead");
  await hydrated(page);
}

test.describe("leads in", () => {
  test("a lead captured in a few taps lands in the inbox and is qualified into a deal on the board @everywhere", async ({ page }) => {
    await signIn(page);
    await openCapture(page);
    // The keyboards a phone shows for each field.
    await expect(page.getByLabel("Email")).toHaveAttribute("type", "email");
    await expect(page.getByLabel("Phone")).toHaveAttribute("type", "tel");
    await page.getByText("More: title, website, value").click();
    await expect(page.getByLabel("Value (optional)")).toHaveAttribute("inputmode", "decimal");

    const name = unique("Eva Lead");
    const company = unique("Lead Co");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Company").fill(company);
    await page.getByLabel("Phone").fill("+46 70 123 45 67");
    await page.getByLabel("Email").fill("eva@example.se");
    await page.getByLabel("Value (optional)").fill("12 500");
    await page.getByLabel("Source").fill("Trade fair");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByRole("status")).toContainText(`Saved ${name}.`);
    // A blank form, ready for the next one, with the source kept.
    await expect(page.getByLabel("Name")).toHaveValue("");
    await expect(page.getByLabel("Name")).toBeFocused();
    await expect(page.getByLabel("Source")).toHaveValue("Trade fair");

    await page.getByRole("link", { name: "See the inbox" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Leads");
    await hydrated(page);
    const entry = lead(page, name);
    await expect(entry).toContainText(company);
    await expect(entry).toContainText("Trade fair");
    await expect(entry).toContainText("Came in today");
    await expect(entry.getByRole("link", { name: "eva@example.se" })).toHaveAttribute("href", "mailto:eva@example.se");

    await entry.getByRole("button", { name: "Qualify" }).click();
    await expect(entry.getByLabel("Value")).toHaveValue("12500");
    await entry.getByLabel("Expected close").fill("2027-03-31");
    await entry.getByRole("button", { name: "Create deal" }).click();
    await expect(entry.getByRole("status")).toContainText("Qualified into a deal.");
    await entry.getByRole("link", { name: "Open the deal" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(company);

    await page.goto("/board");
    await hydrated(page);
    await expect(card(column(page, "Prospect/lead"), company)).toBeVisible();
    await page.goto("/leads");
    await hydrated(page);
    await expect(lead(page, name)).toHaveCount(0);
  });

  test("bad input names its field and saves nothing; a discarded lead leaves the inbox with its reason @everywhere", async ({ page }) => {
    await signIn(page);
    await openCapture(page);
    const name = unique("Bo Lead");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email").fill("bo at example");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByText("Email must be an email address")).toBeVisible();
    await page.goto("/leads");
    await hydrated(page);
    await expect(lead(page, name)).toHaveCount(0);

    await openCapture(page);
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByRole("status")).toContainText(`Saved ${name}.`);
    await page.goto("/leads");
    await hydrated(page);
    const entry = lead(page, name);
    await entry.getByRole("button", { name: "Discard" }).click();
    await entry.getByLabel("Why discard it?").selectOption("No budget");
    await entry.getByRole("button", { name: "Discard lead" }).click();
    await expect(entry.getByRole("status")).toHaveText("Discarded: No budget");

    await page.reload();
    await hydrated(page);
    await expect(lead(page, name)).toHaveCount(0);
    await page.getByRole("link", { name: /^Discarded/ }).click();
    await expect(page).toHaveURL(/status=discarded/);
    await expect(lead(page, name)).toContainText("Discarded: No budget");
  });

  test("pasting an email signature fills the fields it recognises @everywhere", async ({ page }) => {
    await signIn(page);
    await openCapture(page);
    await page.getByText("Paste a signature or vCard").click();
    await page.getByLabel("Paste here to fill the fields").fill(
      "Kind regards,\nJonas Lind\nVD\nLind Måleri AB\nTel: 08-555 123 45\njonas@lindmaleri.se\nhttps://lindmaleri.se",
    );
    await expect(page.getByText("Filled in: name, title, company, phone, email, website.")).toBeVisible();
    await expect(page.getByLabel("Name")).toHaveValue("Jonas Lind");
    await expect(page.getByLabel("Title")).toHaveValue("VD");
    await expect(page.getByLabel("Company")).toHaveValue("Lind Måleri AB");
    await expect(page.getByLabel("Phone")).toHaveValue("08-555 123 45");
    await expect(page.getByLabel("Email")).toHaveValue("jonas@lindmaleri.se");
    await expect(page.getByLabel("Website")).toHaveValue("https://lindmaleri.se");
  });

  test("an admin makes a web form whose HTML posts a website's visitor into the inbox with its source and campaign", async ({ page }) => {
    await signIn(page);
    await page.goto("/admin/pipelines");
    await hydrated(page);
    const forms = page.getByRole("region", { name: "Web forms" });
    const source = unique("Landing page");
    await forms.getByLabel("Lead source").fill(source);
    await forms.getByRole("button", { name: "Make web form" }).click();
    const item = forms.getByRole("listitem").filter({ hasText: source });
    await item.getByText("HTML for your website").click();
    const html = (await item.locator("pre.snippet").textContent())!;
    const action = /action="([^"]+)"/.exec(html)![1];
    expect(action).toMatch(/\/f\/tf_[0-9a-f]+$/);

    // The visitor's browser posts the form from the company's site.
    const visitor = unique("Visitor");
    const sent = await page.request.post(action, {
      form: { name: visitor, email: "visitor@example.org", homepage: "", started: String(Date.now() - 15_000), utm_source: "newsletter", utm_campaign: "december" },
      headers: { Origin: "https://www.example.org" },
    });
    expect(sent.status()).toBe(201);
    expect(await sent.text()).toContain("Thank you");

    await page.goto("/leads");
    await hydrated(page);
    const entry = lead(page, visitor);
    await expect(entry).toContainText(source);
    await expect(entry).toContainText("via newsletter / december");

    // Revoked, the form takes no more.
    await page.goto("/admin/pipelines");
    await hydrated(page);
    await page.getByRole("region", { name: "Web forms" }).getByRole("listitem").filter({ hasText: source }).getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByRole("region", { name: "Web forms" }).getByRole("listitem").filter({ hasText: source })).toContainText("Revoked");
    const late = await page.request.post(action, { form: { name: "Late", started: String(Date.now() - 15_000) } });
    expect(late.status()).toBe(404);
  });

  test("capturing someone already in the inbox offers to add to their lead instead @everywhere", async ({ page }) => {
    await signIn(page);
    await openCapture(page);
    const name = unique("Dup Lead");
    const email = `${name.replace(/\W+/g, ".").toLowerCase()}@example.org`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Note").fill("First call.");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByRole("status").first()).toContainText(`Saved ${name}.`);

    // The same person again, with the email typed differently.
    await page.getByLabel("Name").fill("Someone Else");
    await page.getByLabel("Email").fill(email.toUpperCase());
    await page.getByLabel("Email").blur();
    const likely = page.getByRole("region", { name: "Likely already in Tend" });
    await expect(likely).toContainText(`${name}: a new lead, with the same email.`);
    await page.getByLabel("Note").fill("Second call: wants a quote.");
    await likely.getByRole("button", { name: `Add to ${name}` }).click();
    await expect(page.getByRole("status").first()).toContainText(`Added to ${name}.`);
    await expect(likely).toHaveCount(0);

    await page.goto("/leads");
    await hydrated(page);
    await expect(lead(page, name)).toContainText("First call.");
    await expect(lead(page, name)).toContainText("Second call: wants a quote.");
    await expect(lead(page, "Someone Else")).toHaveCount(0);
  });

  test("an open inbox shows a lead captured elsewhere and drops one discarded elsewhere, leaving the one being qualified in place @everywhere", async ({ page, browser, baseURL }) => {
    await signIn(page);
    const [kept, gone, fresh] = [unique("Live Kept"), unique("Live Gone"), unique("Live New")];
    await openCapture(page);
    for (const name of [kept, gone]) {
      await page.getByLabel("Name").fill(name);
      await page.getByRole("button", { name: "Save lead" }).click();
      await expect(page.getByRole("status").first()).toContainText(`Saved ${name}.`);
    }
    await page.goto("/leads");
    await hydrated(page);
    await expect(linkState(page)).toHaveText("Live");
    // This rep starts qualifying one…
    const entry = lead(page, kept);
    await entry.getByRole("button", { name: "Qualify" }).click();
    await entry.getByLabel("Value").fill("8 000");

    // …while a colleague captures a lead and discards another.
    const colleague = await (await browser.newContext({ baseURL })).newPage();
    await signIn(colleague, "erik@example.com");
    await colleague.goto("/leads/new");
    await hydrated(colleague);
    await colleague.getByLabel("Name").fill(fresh);
    await colleague.getByRole("button", { name: "Save lead" }).click();
    await expect(colleague.getByRole("status").first()).toContainText(`Saved ${fresh}.`);
    await expect(lead(page, fresh)).toBeVisible({ timeout: 3_000 });

    await colleague.goto("/leads");
    await hydrated(colleague);
    const theirs = lead(colleague, gone);
    await theirs.getByRole("button", { name: "Discard" }).click();
    await theirs.getByRole("button", { name: "Discard lead" }).click();
    await expect(theirs.getByRole("status")).toContainText("Discarded");
    await expect(lead(page, gone)).toHaveCount(0, { timeout: 3_000 });
    // The colleague's inbox has the new lead too.
    await expect(lead(colleague, fresh)).toBeVisible();

    // What this rep typed is still there; their own answer stays said.
    await expect(entry.getByLabel("Value")).toHaveValue("8 000");
    await entry.getByRole("button", { name: "Create deal" }).click();
    await expect(entry.getByRole("status")).toContainText("Qualified into a deal.");
    await expect(lead(colleague, kept)).toHaveCount(0, { timeout: 3_000 });
    await page.waitForTimeout(1_500);
    await expect(entry.getByRole("status")).toContainText("Qualified into a deal.");
    await colleague.context().close();
  });

  test("several leads ticked in the inbox are given to a rep, then discarded at once", async ({ page }) => {
    await signIn(page);
    const names = [unique("Bulk A"), unique("Bulk B")];
    await openCapture(page);
    for (const name of names) {
      await page.getByLabel("Name").fill(name);
      await page.getByRole("button", { name: "Save lead" }).click();
      await expect(page.getByRole("status").first()).toContainText(`Saved ${name}.`);
    }
    await page.goto("/leads");
    await hydrated(page);
    for (const name of names) await page.getByRole("checkbox", { name: `Select ${name}` }).check();
    const bar = page.getByRole("region", { name: "2 leads ticked" });
    await bar.getByLabel("Give to").selectOption({ label: "Sara Nilsson" });
    await bar.getByRole("button", { name: "Assign" }).click();
    await expect(page.getByText("2 leads assigned.")).toBeVisible();
    for (const name of names) await expect(lead(page, name)).toContainText("For Sara Nilsson");

    for (const name of names) await page.getByRole("checkbox", { name: `Select ${name}` }).check();
    const again = page.getByRole("region", { name: "2 leads ticked" });
    await again.getByLabel("Discard as").selectOption("Duplicate");
    await again.getByRole("button", { name: "Discard", exact: true }).click();
    await expect(page.getByText("2 leads discarded.")).toBeVisible();
    for (const name of names) await expect(lead(page, name)).toHaveCount(0);
  });

  test("a lead captured with no connection is kept on the phone, shown waiting, and arrives once when it returns @everywhere", async ({ page, context, browser }) => {
    await signIn(page);
    await openCapture(page);
    // The first visit installs the service worker; from the next, the page and its files
    // come through it and are kept on the phone.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await hydrated(page);
    await page.waitForSelector("body[data-works-offline]", { state: "attached", timeout: 20_000 });
    await expect(page.getByText("Works offline")).toBeVisible();

    await context.setOffline(true);
    // Opened again without a network: the service worker answers from the phone.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("New lead");
    await hydrated(page);

    const name = unique("Offline Olle");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Phone").fill("+46 70 999 88 77");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByRole("status").first()).toContainText(`No connection: ${name} is kept on this phone`);
    const queue = page.getByRole("region", { name: /Waiting to be sent/ });
    await expect(queue).toContainText(name);
    await expect(page.getByLabel("Name")).toHaveValue("");

    // A bad capture is refused here, by the same rules, not queued.
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.locator(".field-error").first()).toContainText("Name");
    await expect(queue).toContainText("Waiting to be sent (1)");

    await context.setOffline(false);
    await expect(page.getByRole("status").first()).toContainText(`Sent now that you are online: ${name}.`, { timeout: 15_000 });
    await expect(queue).toHaveCount(0);

    // On a desktop, the inbox has it once.
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await desk.newPage();
    await signIn(other);
    await other.goto("/leads");
    await hydrated(other);
    await expect(other.locator(".lead", { hasText: name })).toHaveCount(1);
    await desk.close();
  });
});
