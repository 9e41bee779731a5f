import pg from 'pg';

/** Drops the template and any database a crashed test file left behind, then stops embedded PG. */
export default async function globalTeardown() {
  const serverUrl = process.env.YK_TEST_SERVER_URL;
  const template = process.env.YK_TEST_TEMPLATE;
  if (serverUrl && template) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const suffix = template.replace(/^yk_tpl_/, '');
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [
        template,
        `yk_t_${suffix}_%`,
      ]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await globalThis.__YIKATONG_EMBEDDED__?.stop();
}
