import { test, expect, Page } from "@playwright/test";
import { addDeal, card, column, hydrated, signIn, unique } from "./helpers";

/** Adds a person with the form on the People page and waits for their page. */
async function addPerson(page: Page, fields: { name: string; title?: string; organization?: string; email?: string; phone?: string }) {
  await page.goto("/people");
  await hydrated(page);
  await page.getByRole("button", { name: "+ New person" }).click();
  const form = page.locator("form.new-contact");
  await form.getByLabel("Name").fill(fields.name);
  if (fields.title) await form.getByLabel("Job title").fill(fields.title);
  if (fields.organization) await form.getByLabel("Organization").fill(fields.organization);
  if (fields.email) await form.getByLabel("Email").fill(fields.email);
  if (fields.phone) await form.getByLabel("Phone").fill(fields.phone);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(fields.name);
  await hydrated(page);
}

test.describe("people and organizations", () => {
  test("a person is added, found by search, changed, and listed at their organization @everywhere", async ({ page }) => {
    await signIn(page);
    await page.getByRole("link", { name: "People", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("People");

    const name = unique("Petra Person");
    const org = unique("Person Org");
    await addPerson(page, { name, title: "CFO", organization: org, email: "petra@example.se", phone: "070-123 45 67" });
    await expect(page).toHaveURL(/\/people\/[0-9a-f-]{36}$/);
    await expect(page.locator(".deal-sub")).toContainText(`CFO at ${org}`);
    await expect(page.getByRole("link", { name: "petra@example.se" })).toHaveAttribute("href", "mailto:petra@example.se");
    await expect(page.getByRole("link", { name: "070-123 45 67" })).toHaveAttribute("href", "tel:0701234567");

    // Found by part of the name, and by the organization's name.
    await page.goto("/people");
    await hydrated(page);
    await page.getByLabel("Search people").fill(name.split(" ").pop()!);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/\?q=/);
    const list = page.getByRole("list", { name: "People" });
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(list).toContainText(org);
    await list.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    await hydrated(page);

    // A change is saved and logged; a bad email is refused naming the field.
    await page.getByLabel("Email").fill("not an email");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator(".field-error")).toContainText("Email");
    await page.getByLabel("Email").fill("petra.p@example.se");
    await page.getByLabel("Job title").fill("Head of Finance");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Saved.");
    await expect(page.locator(".deal-sub")).toContainText("Head of Finance");
    await expect(page.locator(".timeline")).toContainText("Changed job title, email");

    await page.locator(".deal-sub").getByRole("link", { name: org }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(org);
    await expect(page.getByRole("heading", { name: "People (1)" })).toBeVisible();
    await expect(page.getByRole("link", { name })).toBeVisible();
    await page.getByRole("link", { name: "← Organizations" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Organizations");
  });

  test("a deal is linked to a person found by typing, and their page lists the deal @everywhere", async ({ page }) => {
    await signIn(page);
    const title = unique("Linked deal");
    await addDeal(page, "Prospect/lead", title);
    await card(column(page, "Prospect/lead"), title).getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await hydrated(page);
    const who = page.locator("section", { has: page.getByRole("heading", { name: "Who" }) });
    await expect(who).toContainText("Playwright AB");

    // A person no one has added yet is made on the spot.
    const name = unique("Lina Link");
    await who.getByRole("button", { name: "Link a person" }).click();
    await who.getByLabel("Find a person").fill(name);
    await who.getByRole("button", { name: `New person “${name}”` }).click();
    await expect(page.getByRole("status")).toContainText("Linked.");
    await expect(who.getByRole("link", { name })).toBeVisible();
    await expect(page.locator(".timeline")).toContainText("Changed person id");

    // Found again by typing part of the name.
    await who.getByRole("button", { name: "Remove person" }).click();
    await expect(who.getByRole("link", { name })).toHaveCount(0);
    await who.getByRole("button", { name: "Link a person" }).click();
    await who.getByLabel("Find a person").fill(name.slice(0, 12));
    await who.getByRole("button", { name: new RegExp(name) }).click();
    await expect(who.getByRole("link", { name })).toBeVisible();

    await who.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(page.getByRole("heading", { name: "Deals (1)" })).toBeVisible();
    await expect(page.getByRole("link", { name: title })).toBeVisible();
  });

  test("two records of one person are merged keeping the one chosen, and the deal follows", async ({ page }) => {
    await signIn(page);
    const name = unique("Dora Dup");
    const email = `${name.replace(/\W+/g, ".").toLowerCase()}@example.se`;
    await addPerson(page, { name, email });
    const kept = page.url();
    await addPerson(page, { name, email: email.toUpperCase(), phone: "+46 70 555 12 34" });

    // A deal with the second record.
    const title = unique("Dup deal");
    await page.goto("/board");
    await hydrated(page);
    await addDeal(page, "Prospect/lead", title);
    await card(column(page, "Prospect/lead"), title).getByRole("link").click();
    await hydrated(page);
    const who = page.locator("section", { has: page.getByRole("heading", { name: "Who" }) });
    await who.getByRole("button", { name: "Link a person" }).click();
    await who.getByLabel("Find a person").fill("+46 70 555 12 34");
    await who.getByRole("button", { name: new RegExp(name) }).click();
    await expect(who.getByRole("link", { name })).toBeVisible();

    await page.goto("/duplicates");
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Likely duplicates");
    const pair = page.locator(".dup-pair", { hasText: name });
    await expect(pair).toHaveCount(1);
    await expect(pair).toContainText("Likely the same: the same email");
    await pair.locator(".dup-side").first().getByRole("button", { name: "Keep this one" }).click();
    await expect(pair.getByRole("group", { name: "Confirm the merge" })).toContainText("Keep the first person");
    await pair.getByRole("button", { name: "Merge", exact: true }).click();
    await expect(page.getByRole("status")).toContainText(`Merged into ${name}.`);
    await expect(page.locator(".dup-pair", { hasText: name })).toHaveCount(0);

    await page.goto(kept);
    await hydrated(page);
    await expect(page.getByRole("link", { name: "+46 70 555 12 34" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Deals (1)" })).toBeVisible();
    await expect(page.getByRole("link", { name: title })).toBeVisible();
    await expect(page.locator(".timeline")).toContainText(`Merged with ${name}, which gave its phone`);
    await page.goto(`/people?q=${encodeURIComponent(name)}`);
    await expect(page.getByRole("list", { name: "People" }).getByRole("listitem")).toHaveCount(1);
  });
});
