import { AppConfig, loadConfig } from '../config/app-config.js';
import { loadOrCreateLocalSecrets } from '../config/secrets.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { runMigrations } from './migrate.js';

/** What a process needs before Nest starts: validated config, a database URL and the JWT secret. */
export interface Runtime {
  config: AppConfig;
  databaseUrl: string;
  jwtSecret: string;
  /** Stops what this process started (the embedded database). */
  close(): Promise<void>;
}

export interface PrepareOptions {
  env?: NodeJS.ProcessEnv;
  migrate?: boolean;
  log?: (message: string) => void;
}

/**
 * Resolves the database: DATABASE_URL when given (production shape), otherwise an embedded
 * PostgreSQL under DATA_DIR (the newcomer's `npm start`). Migrations run here, before any module
 * touches the schema.
 */
export async function prepareRuntime(options: PrepareOptions = {}): Promise<Runtime> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const config = loadConfig(options.env ?? process.env);
  let databaseUrl = config.DATABASE_URL;
  let jwtSecret = config.JWT_SECRET;
  let close = async () => undefined as void;

  if (!databaseUrl || !jwtSecret) {
    const secrets = loadOrCreateLocalSecrets(config.DATA_DIR);
    jwtSecret ??= secrets.jwtSecret;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.DATA_DIR, secrets.postgresPassword, log);
      databaseUrl = embedded.url;
      close = () => embedded.stop();
    }
  }
  try {
    if (options.migrate !== false) {
      const applied = await runMigrations(databaseUrl);
      if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { config, databaseUrl, jwtSecret, close };
}
