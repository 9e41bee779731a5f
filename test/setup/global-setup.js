// Runs once per `npm test`, outside Jest's module system, so it uses the compiled service
// (`pretest` builds it): the same embedded-PostgreSQL bootstrap and migrations as `npm start`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../dist/src/common/project-root.js';
import { loadOrCreateLocalSecrets } from '../../dist/src/config/secrets.js';
import { startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';
import { runMigrations } from '../../dist/src/database/migrate.js';

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Finds a PostgreSQL (DATABASE_URL, or an embedded one under .data/test), creates a template
 * database and migrates it. Each test file clones the template (test/support/database.ts).
 */
export default async function globalSetup() {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = join(projectRoot(), '.data', 'test');
    mkdirSync(dataDir, { recursive: true });
    const secrets = loadOrCreateLocalSecrets(dataDir);
    const embedded = await startEmbeddedPostgres(dataDir, secrets.postgresPassword, () => undefined);
    globalThis.__YIKATONG_EMBEDDED__ = embedded;
    serverUrl = embedded.url;
    process.stderr.write('\ntests run on an embedded PostgreSQL (no DATABASE_URL)\n');
  } else {
    process.stderr.write(`\ntests run on PostgreSQL at ${new URL(serverUrl).host}\n`);
  }
  const template = `yk_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await runMigrations(withDatabase(serverUrl, template));
  process.env.YK_TEST_SERVER_URL = serverUrl;
  process.env.YK_TEST_TEMPLATE = template;
}
