/**
 * End-to-end tests of the Desk in Debian's Chromium (/usr/bin/chromium; Playwright never
 * downloads a browser here) against the real helpdesk demo server, which e2e/global-setup.ts
 * starts on SQLite with a fresh data directory and a free port.
 *
 * E2E_BASE_URL=http://127.0.0.1:8000 runs the tests against a server that is already running
 * (it must serve the built Desk and the helpdesk demo data); otherwise one is started.
 */
import { defineConfig } from "@playwright/test";
import { execFileSync } from "node:child_process";

// The config is evaluated in the runner and again in every worker; the runner picks the port
// once and the workers inherit it through the environment.
if (!process.env.E2E_BASE_URL) {
  const port = execFileSync(process.execPath, [
    "-e",
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
  ]).toString();
  process.env.E2E_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.E2E_START_SERVER = "1";
}

export default defineConfig({
  testDir: "./e2e",
  // Traces and screenshots of failed tests (ignored by git); E2E_OUTPUT_DIR for a run of its own.
  outputDir: process.env.E2E_OUTPUT_DIR ?? "./test-results",
  globalSetup: "./e2e/global-setup.ts",
  // One worker: the machine has two cores and the server needs one of them.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
});
