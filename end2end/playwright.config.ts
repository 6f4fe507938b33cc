import { defineConfig, devices } from "@playwright/test";
import * as path from "path";
import { tendEnv } from "./tests/helpers";

// Tend is started by Playwright on a fresh demo database for each run. The server is
// the release build that `cargo leptos build --release` made.
const root = path.resolve(__dirname, "..");
const port = Number(process.env.TEND_E2E_PORT ?? 3100);
const runId = `${Date.now()}`;
const database = process.env.TEND_E2E_DATABASE_URL ?? `sqlite://${root}/target/e2e/tend-${runId}.db`;

const chromium = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromium,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions: chromium },
      grepInvert: /@phone/,
    },
    {
      name: "phone",
      use: {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        userAgent: devices["Pixel 7"].userAgent,
        launchOptions: chromium,
      },
      grep: /@phone|@everywhere/,
    },
  ],
  webServer: {
    command: `${root}/target/release/tend serve --demo`,
    cwd: root,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: tendEnv(root, database, port),
  },
});
