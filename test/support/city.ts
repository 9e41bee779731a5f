import pg from 'pg';
import { CityGenerator, TABLES, type TableName, type Township } from '../bench/city.js';
import { copyRows } from '../bench/copy.js';

export interface SyntheticCityOptions {
  seed?: number;
  /** The generator's reservoir of sample households (the benchmark's HTTP stage); 0 draws none. */
  sampleSize?: number;
  /** Adds what the generator does not write, in the same transaction, before ANALYZE. */
  extend?: (client: pg.Client) => Promise<void>;
}

/**
 * The benchmark's synthetic city, COPYed into a test database: thousands of households in seconds,
 * for tests that need a batch large enough to be interrupted half way, or histories of every kind.
 */
export async function loadSyntheticCity(
  url: string,
  households: number,
  { seed = 13, sampleSize = 0, extend }: SyntheticCityOptions = {},
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const townships = (
      await client.query<Township>(
        `SELECT code, name, substr(code, 1, 6) AS "countyCode" FROM regions WHERE level = 'TOWNSHIP' ORDER BY code`,
      )
    ).rows;
    const city = new CityGenerator(seed, townships, households, sampleSize);
    await client.query('BEGIN');
    await copyRows(client, 'regions (code, name, parent_code, level)', city.villageRows());
    const chunk = city.nextChunk(households);
    for (const table of Object.keys(TABLES) as TableName[]) await copyRows(client, TABLES[table], chunk[table]);
    await extend?.(client);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * Enrolls every household of a county that holds an only-child certificate in OCP_REWARD, ACTIVE
 * from the start of `year` (the bench's set-based shortcut for the clerk/officer workflow): the
 * generation then decides each one, paying the eligible and listing the rest as exceptions.
 */
export async function enrollCertificateHolders(
  url: string,
  countyCode: string,
  officerId: string,
  year: number,
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const start = `${year}-01-05`;
    const result = await client.query(
      `INSERT INTO enrollments (household_id, policy_code, region_code, status, opened_by, submitted_by, submitted_at,
                                publicized_by, publicized_on, notice_ends_on, approved_by, approved_at, active_from,
                                created_at)
       SELECT h.id, 'OCP_REWARD', h.region_code, 'ACTIVE', $2, $2, $3::date, $2, $3::date, $3::date, $2, $3::date,
              $3::date, $3::date
         FROM households h
        WHERE h.region_code LIKE $1 || '%'
          AND EXISTS (SELECT 1 FROM household_certificates c WHERE c.household_id = h.id)`,
      [countyCode, officerId, start],
    );
    await client.query('ANALYZE enrollments');
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
