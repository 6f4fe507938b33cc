import { defineConfig } from "@playwright/test";
import baseConfig from "./playwright.config";

// `make bench-what-if`: figures printed by the scripts in bench/, in Debian's Chromium on
// a desktop viewport, against the release build on a fresh demo database. Not a test
// run: nothing here passes or fails on a time.
export default defineConfig({
  ...baseConfig,
  testDir: "./bench",
  testMatch: /.*\.bench\.ts/,
  timeout: 15 * 60_000,
  projects: [{ name: "desktop", use: { viewport: { width: 1280, height: 800 }, launchOptions: baseConfig.use!.launchOptions } }],
});
