/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import * as argon2 from 'argon2';
import pg from 'pg';
import playwright, { type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../src/common/project-root.js';
import { idCheckCharacter } from '../../src/modules/registry/id-number.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The browser tests drive Debian's Chromium (never Playwright's own download) against the built
 * service, `node dist/src/main.js` as `npm start` runs it, on a database of the test file's own.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(projectRoot(), 'docs', 'screenshots');

/** Where the journeys happen: 韩寺镇 of 中牟县, its village 韩寺村 (created by each file). */
export const COUNTY = '410122';
export const TOWNSHIP = '410122101';
export const VILLAGE = '410122101201';
/** The special assistance for a family whose only child died: the policy the journeys pay. */
export const POLICY = 'SPECIAL_BEREAVED';
export const POLICY_NAME = '计划生育家庭特别扶助（独生子女死亡）';
/** A journey is a person's morning of clicks; on a busy CI machine it may take minutes. */
export const JOURNEY_TIMEOUT = 600_000;
/** This month in Beijing (YYYY-MM), the period the journeys pay. */
export const thisMonth = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
})
  .format(new Date())
  .slice(0, 7);

/** A valid resident ID number of the county: birth date YYYYMMDD and a three-digit sequence. */
export const id = (birth: string, sequence: string) => {
  const first17 = `${COUNTY}${birth}${sequence}`;
  return first17 + idCheckCharacter(first17);
};
/** The same ID number with a wrong check character. */
export const wrongCheck = (value: string) => value.slice(0, 17) + (value[17] === '0' ? '1' : '0');

export interface Account {
  username: string;
  password: string;
}

export interface Service {
  url: string;
  database: TestDatabase;
  /** An API call as `user` (signs in once per user). */
  api(user: Account, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  createUser(role: string, regionCode: string, username: string): Promise<Account>;
  /** The city's administrator the service starts with. */
  admin: Account;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts the built service on a fresh database with an admin, and returns its address. */
export async function startService(env: Record<string, string> = {}): Promise<Service> {
  const database = await createTestDatabase();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'yk-browser-'));
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ...env,
  };
  // Jobs run in the API process, as on a laptop: no separate worker to start here.
  delete environment.REDIS_URL;
  const child: ChildProcess = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'main.js')], {
    env: environment,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited: ${log}`);
    const ok = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error(`the service did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const admin = { username: 'browser.admin', password: randomBytes(12).toString('hex') };
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (username, password_hash, role, region_code) VALUES ($1, $2, 'ADMIN', '410100')`,
      [admin.username, await argon2.hash(admin.password, { type: argon2.argon2id })],
    );
  } finally {
    await client.end();
  }

  const tokens = new Map<string, string>();
  const api: Service['api'] = async (user, method, path, body) => {
    let token = tokens.get(user.username);
    if (!token) {
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(user),
      });
      if (!login.ok) throw new Error(`login ${user.username}: ${login.status} ${await login.text()}`);
      token = ((await login.json()) as { accessToken: string }).accessToken;
      tokens.set(user.username, token);
    }
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  return {
    url,
    database,
    api,
    admin,
    async createUser(role, regionCode, username) {
      const account = { username, password: `pw-${randomBytes(8).toString('hex')}` };
      const created = await api(admin, 'POST', '/users', { ...account, role, regionCode });
      if (created.status !== 201)
        throw new Error(`user ${username}: ${created.status} ${JSON.stringify(created.body)}`);
      return account;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

/** A page in Chinese, the size of an office monitor. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // A script error in the console fails a journey loudly instead of as a missing element.
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error.stack ?? error.message}\n`));
  return page;
}

export async function signIn(page: Page, service: Service, user: Account, path = '/'): Promise<void> {
  await page.goto(`${service.url}${path}`);
  await page.getByLabel('用户名').fill(user.username);
  await page.getByLabel('密码').fill(user.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
}

/** The whole page, or (`fullPage: false`, for a dialog) what the screen shows. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  // Let antd's animations (messages, tabs, modals) settle so the picture is what a person sees.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The page has no serious or critical accessibility violation. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

/** axe-core run in the page: the serious and critical violations, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's Content-Security-Policy forbids inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: any) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`);
}

/** What a first visit to `path` downloads, gzipped as a server would send it. */
export async function firstLoadGzipBytes(browser: Browser, url: string): Promise<{ bytes: number; files: string[] }> {
  const page = await newPage(browser);
  const bodies: Promise<{ url: string; size: number }>[] = [];
  page.on('response', (response) => {
    bodies.push(
      response.body().then(
        (body) => ({ url: response.url(), size: gzipSync(body).length }),
        () => ({ url: response.url(), size: 0 }),
      ),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const all = await Promise.all(bodies);
  await page.context().close();
  return { bytes: all.reduce((sum, b) => sum + b.size, 0), files: all.map((b) => `${b.url} ${b.size}`) };
}

/** In a list (a select that filters as one types), Enter takes the option once it is offered. */
export async function chooseByKeyboard(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
  await page.getByTitle(new RegExp(text)).last().waitFor();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
}
