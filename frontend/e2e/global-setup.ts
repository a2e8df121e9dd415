/**
 * Starts the real server for the e2e run: the helpdesk demo (scripts/demo.sh: m migrate, the
 * demo seed, m start) on SQLite in a fresh temporary data directory, on the port the config
 * chose; waits for /healthz; adds the bulk Tickets the large-list test needs through `m import`
 * (the framework's own import path: validation, controllers and permissions as the admin);
 * and returns the teardown that stops the server and removes the directory.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { request } from "@playwright/test";
import { ADMIN, BULK_TICKETS } from "./support/demo";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const DESK_INDEX = join(ROOT, "apps/desk/src/framework_m_desk/static/index.html");
const run = promisify(execFile);

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(DESK_INDEX)) {
    throw new Error(`The Desk is not built (${DESK_INDEX} is missing): run \`npm run build\` in frontend/ first`);
  }
  const baseURL = process.env.E2E_BASE_URL!;
  let server: ChildProcess | undefined;
  let dataDir = process.env.E2E_DATA_DIR;
  let ownDir = false;

  if (process.env.E2E_START_SERVER === "1") {
    dataDir = mkdtempSync(join(tmpdir(), "fm-desk-e2e-"));
    ownDir = true;
    const log = join(dataDir, "server.log");
    const started = Date.now();
    server = spawn("bash", [join(ROOT, "scripts/demo.sh")], {
      // The run tests the build `npm run build` made (checked above), not a rebuild of newer sources.
      env: { ...process.env, DEMO_PORT: new URL(baseURL).port, DEMO_DATA_DIR: dataDir, DEMO_SKIP_DESK_BUILD: "1" },
      // Its own process group, so the teardown stops the script, uv and the server together.
      detached: true,
      stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
    });
    try {
      await waitForHealth(baseURL, server, 240_000);
    } catch (error) {
      await stop(server);
      throw new Error(`${(error as Error).message}\n--- ${log} (end) ---\n${tail(log, 40)}`);
    }
    console.log(`e2e: demo server up at ${baseURL} in ${((Date.now() - started) / 1000).toFixed(1)} s (data: ${dataDir})`);
  } else {
    await waitForHealth(baseURL, undefined, 30_000);
  }

  const teardown = async () => {
    if (server) await stop(server);
    if (ownDir && dataDir && !process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await seedBulkTickets(baseURL, dataDir);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function waitForHealth(baseURL: string, server: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server && server.exitCode !== null) throw new Error(`the demo server exited with code ${server.exitCode}`);
    try {
      const response = await fetch(`${baseURL}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${baseURL}/healthz did not answer within ${timeoutMs / 1000} s`);
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise<void>((r) => server.once("exit", () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-server.pid!, sig);
    } catch {
      // the group is gone already
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * BULK_TICKETS Tickets with varied subjects, teams, priorities and statuses, unless the
 * database has them already (a reused server). Seeded before any test, so every spec sees the
 * same data whatever order they run in.
 */
async function seedBulkTickets(baseURL: string, dataDir: string | undefined): Promise<void> {
  const api = await request.newContext({ baseURL });
  try {
    const login = await api.post("/api/v1/auth/login", { data: { email: ADMIN.email, password: ADMIN.password } });
    if (!login.ok()) throw new Error(`admin login failed: ${login.status()} ${await login.text()}`);
    const count = await (await api.get("/api/v1/Ticket/count")).json();
    if (count.count >= BULK_TICKETS) return;
    if (!dataDir) {
      throw new Error(`the server has ${count.count} Tickets; set E2E_DATA_DIR to its DEMO_DATA_DIR so the e2e setup can import ${BULK_TICKETS}`);
    }
    const customers: { id: string }[] = (await (await api.get("/api/v1/Customer?fields=id&limit=100")).json()).data;
    const topics = ["Cannot log in", "Printer offline", "Refund request", "VPN drops", "Invoice question", "Password reset", "Slow dashboard", "Export fails"];
    const priorities = ["Low", "Medium", "High"];
    const statuses = ["Open", "In Progress", "Waiting on Customer"];
    const teams = ["Technical", "Billing"];
    const rows = Array.from({ length: BULK_TICKETS }, (_, n) => {
      const i = n + 1;
      return {
        subject: `${topics[i % topics.length]} (bulk ${String(i).padStart(5, "0")})`,
        customer: customers[i % customers.length].id,
        team: teams[i % teams.length],
        priority: priorities[i % priorities.length],
        status: statuses[Math.floor(i / 3) % statuses.length],
      };
    });
    const file = join(dataDir, "bulk-tickets.json");
    writeFileSync(file, JSON.stringify(rows));
    const started = Date.now();
    await importAsAdmin(dataDir, file);
    console.log(`e2e: imported ${BULK_TICKETS} Tickets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await api.dispose();
  }
}

/** `m import` with the environment scripts/demo.sh gives the demo app. */
async function importAsAdmin(dataDir: string, file: string): Promise<void> {
  const appDir = join(ROOT, "docs/examples/helpdesk");
  const env = {
    ...process.env,
    PYTHONPATH: appDir + (process.env.PYTHONPATH ? `:${process.env.PYTHONPATH}` : ""),
    FRAMEWORK_M_APPS: '["helpdesk"]',
    FRAMEWORK_M_ENVIRONMENT: "development",
    FRAMEWORK_M_DATABASE_URL: `sqlite+aiosqlite:///${dataDir}/helpdesk.db`,
    FRAMEWORK_M_MIGRATIONS_DIR: join(dataDir, "migrations"),
    FRAMEWORK_M_PROJECT_ROOT: dataDir,
  };
  const args = ["-m", "uv", "run", "--project", ROOT, "--frozen", "--no-sync"];
  args.push("m", "import", "Ticket", file, "--user", ADMIN.email, "--batch-size", "2500");
  try {
    await run("python3", args, { cwd: appDir, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`m import of the bulk Tickets failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}
