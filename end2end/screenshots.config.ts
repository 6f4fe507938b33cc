// `npx playwright test --config screenshots.config.ts` refreshes the README's pictures.
import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

export default defineConfig({
  ...base,
  testDir: "./shots",
  testMatch: /.*\.shots\.ts/,
  projects: [{ name: "screenshots", use: { launchOptions: (base.use as any).launchOptions } }],
});
