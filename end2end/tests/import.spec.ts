import { test, expect, Page } from "@playwright/test";
import { card, column, hydrated, signIn, unique } from "./helpers";

/** Chooses `text` as the file to import, named `name`. */
async function chooseFile(page: Page, name: string, text: string) {
  await page.getByLabel(/^CSV file/).setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text, "utf-8") });
}

test.describe("import from a CSV file", () => {
  test("a Pipedrive export is checked, its bad row named by line, fixed and imported whole @everywhere", async ({ page }) => {
    await signIn(page);
    await page.goto("/people");
    await hydrated(page);
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import from a CSV file");
    await hydrated(page);

    const [won, open, other] = [unique("Imported win"), unique("Imported deal"), unique("Imported other")];
    const org = unique("Import Org");
    const head = "\ufeffDeal - Title;Deal - Value;Deal - Currency;Deal - Stage;Deal - Organization;Deal - Label\r\n";
    const rows = (stage: string) =>
      `${open};12 500,50;SEK;Proposal;${org};hot\r\n` +
      `${other};3 000;SEK;${stage};${org};\r\n` +
      `"${won}";800;EUR;Qualification;;\r\n`;
    await chooseFile(page, "pipedrive-deals.csv", head + rows("Nowhere"));

    await expect(page.locator(".import-report")).toContainText("3 rows read. 1 error");
    await expect(page.locator(".import-errors")).toContainText("Line 3");
    await expect(page.locator(".import-errors")).toContainText("Nowhere");
    await expect(page.getByRole("button", { name: "Import 3 deals" })).toBeDisabled();
    // Pipedrive's headings are recognised; one Tend has no field for is left out.
    await expect(page.getByLabel("What “Deal - Title” fills")).toHaveValue("title");
    await expect(page.getByLabel("What “Deal - Value” fills")).toHaveValue("value");
    await expect(page.getByLabel("What “Deal - Label” fills")).toHaveValue("");
    await expect(page.locator(".import-columns")).toContainText("12 500,50");

    // Nothing was written by the check.
    await page.goto("/board");
    await hydrated(page);
    await expect(page.getByText(open)).toHaveCount(0);
    await page.goto("/import");
    await hydrated(page);

    await chooseFile(page, "pipedrive-deals.csv", head + rows("Commitment"));
    await expect(page.locator(".import-report")).toContainText("3 rows read, no errors: 3 deals to add");
    // The bar shows while the rows are written (the answer is held back a moment to see it).
    await page.route("**/import/upload?*dry_run=false*", async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await page.getByRole("button", { name: "Import 3 deals" }).click();
    await expect(page.getByRole("progressbar")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Imported" })).toBeVisible();
    await expect(page.locator(".import-done")).toContainText("3 deals added; 0 already in Tend");

    await page.getByRole("link", { name: "See the board" }).click();
    await hydrated(page);
    await expect(card(column(page, "Proposal"), open)).toContainText("12,500");
    await expect(card(column(page, "Commitment"), other)).toBeVisible();
    await expect(card(column(page, "Qualification"), won)).toBeVisible();
  });

  test("a file with headings Tend does not know is imported once its columns are chosen", async ({ page }) => {
    await signIn(page);
    await page.goto("/import");
    await hydrated(page);
    await page.getByRole("radio", { name: "People" }).check();
    const name = unique("Kim Kolumn");
    const email = `${name.replace(/\W+/g, ".").toLowerCase()}@example.se`;
    await chooseFile(page, "kontakter.csv", `Namn,E-post,Anteckning\n${name},${email},met at the fair\n`);
    await expect(page.locator(".import-errors")).toContainText("has no column for the name");
    await expect(page.getByRole("button", { name: "Import 1 person" })).toBeDisabled();

    await page.getByLabel("What “Namn” fills").selectOption("name");
    await page.getByLabel("What “E-post” fills").selectOption("email");
    await expect(page.locator(".import-report")).toContainText("1 row read, no errors: 1 person to add");
    await page.getByRole("button", { name: "Import 1 person" }).click();
    await expect(page.locator(".import-done")).toContainText("1 person added");

    await page.getByRole("link", { name: "See people" }).click();
    await hydrated(page);
    await page.getByLabel("Search people").fill(name);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("list", { name: "People" })).toContainText(email);
  });

  test("a file in another encoding is refused with the line it goes wrong on", async ({ page }) => {
    await signIn(page);
    await page.goto("/import");
    await hydrated(page);
    await page.getByRole("radio", { name: "Organizations" }).check();
    // "Göteborg" in Windows-1252: ö is the single byte 0xF6.
    const latin1 = Buffer.concat([Buffer.from("name,website\nAcme,acme.se\nG"), Buffer.from([0xf6]), Buffer.from("teborg AB,\n")]);
    await page.getByLabel(/^CSV file/).setInputFiles({ name: "orgs.csv", mimeType: "text/csv", buffer: latin1 });
    await expect(page.getByRole("alert")).toContainText("is not UTF-8 text (line 3");
    await expect(page.locator(".import-report")).toHaveCount(0);
  });
});
