import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * The whole configuration of the service, read from the environment once at boot.
 * A bad value stops the start with a message that names the variable.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Matches(/^\d+[smhd]$/, { message: 'JWT_EXPIRES_IN must look like 8h, 30m or 1d' })
  JWT_EXPIRES_IN = '8h';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(365)
  PUBLIC_NOTICE_DAYS = 7;

  /** Comma-separated origins allowed by CORS; empty means CORS stays off. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Bull key prefix, so that several deployments (or test files) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, : _ -' })
  QUEUE_PREFIX = 'yikatong';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Runs of one job before it is recorded as failed (crashes and transient errors count). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  JOB_MAX_ATTEMPTS = 5;

  /**
   * How long a runner's claim on a job lasts without renewal (it renews a third of the way): a
   * crashed runner's job is handed to another one after this. Also Bull's lock duration.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  JOB_LEASE_MS = 60_000;

  /** How often every job runner looks for jobs that are unfinished but held by no queue or runner. */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  JOB_SWEEP_MS = 30_000;

  /** How long a request waits for Redis before answering 503 QUEUE_UNAVAILABLE. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REDIS_TIMEOUT_MS = 2000;

  /** Enrollments a batch generation decides and writes per transaction. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  GENERATION_CHUNK_SIZE = 5000;

  /**
   * Which proxies' X-Forwarded-For to believe, so that the audited address (and the login limit's) is
   * the client's behind a reverse proxy: Express's `trust proxy` value (`loopback`, a hop count such
   * as `1`, or comma-separated addresses/subnets such as `10.0.0.0/8,172.16.0.1`).
   */
  @Matches(/^(loopback|linklocal|uniquelocal|true|false|\d{1,2}|[0-9a-fA-F.:/, ]+)$/, {
    message: 'TRUST_PROXY must be loopback, a hop count, or comma-separated addresses or subnets',
  })
  TRUST_PROXY = 'loopback';

  /** When set, GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`; open otherwise. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** The worker's port for /health/live, /health/ready and /metrics; none when unset. */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT?: number;

  /**
   * Requests one user (or, before signing in, one client address) may make per
   * RATE_LIMIT_WINDOW_SECONDS; 0 turns the limit off. Default 600, except under NODE_ENV=test,
   * where tests that want a limit set their own.
   */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_MAX?: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /**
   * Keys that encrypt ID and account numbers at rest: `1:<base64 32 bytes>,2:<...>` (the highest id
   * encrypts, all decrypt), with PII_INDEX_KEY (base64, 32 bytes) for the blind index. Or
   * PII_KEY_FILE, a JSON key file. Neither (outside production): DATA_DIR/pii-keys.json, made once.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PII_KEYS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PII_INDEX_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PII_KEY_FILE?: string;

  get rateLimitMax(): number {
    return this.RATE_LIMIT_MAX ?? (this.NODE_ENV === 'test' ? 0 : 600);
  }

  get embeddedDatabase(): boolean {
    return !this.DATABASE_URL;
  }

  get inProcessJobs(): boolean {
    return !this.REDIS_URL;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KEYS = Object.keys(new AppConfig()).concat([
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'CORS_ORIGINS',
  'METRICS_TOKEN',
  'WORKER_HEALTH_PORT',
  'RATE_LIMIT_MAX',
  'PII_KEYS',
  'PII_INDEX_KEY',
  'PII_KEY_FILE',
]);

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const plain: Record<string, unknown> = {};
  for (const key of new Set(KEYS)) {
    if (env[key] !== undefined) plain[key] = env[key];
  }
  const config = plainToInstance(AppConfig, plain, { exposeDefaultValues: true });
  const problems = validateSync(config, { skipMissingProperties: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET is required when NODE_ENV=production');
    if (!config.DATABASE_URL) problems.push('DATABASE_URL is required when NODE_ENV=production');
    if (!config.PII_KEYS && !config.PII_KEY_FILE)
      problems.push('PII_KEYS (with PII_INDEX_KEY) or PII_KEY_FILE is required when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
