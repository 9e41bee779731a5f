import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import type { Role } from '../../src/common/auth/roles.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { configureApp } from '../../src/configure-app.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const API = '/api/v1';

export interface SignedInUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  regionCode: string;
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  database: TestDatabase;
  dataSource: DataSource;
  http: () => ReturnType<typeof request>;
  /** Creates a user directly and signs them in through the API. */
  signIn(role: Role, regionCode: string, username?: string): Promise<SignedInUser>;
  /** Polls GET /jobs/:id until the job finishes; returns its final view. */
  waitForJob(jobId: string, user: SignedInUser, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Extra modules (test-only processors, say). */
  imports?: (Type | DynamicModule)[];
  /** False: this process only records and queues jobs; runner processes of the test run them. */
  consumeJobs?: boolean;
}

/**
 * The whole API on a database of this test file's own, configured exactly as main.ts configures
 * it. With REDIS_URL set (CI), jobs go through a real Bull queue under a prefix of this file's own.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `yk-test-${database.name}`,
    DB_POOL_SIZE: '8',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.register(config, {
        databaseUrl: database.url,
        jwtSecret: config.JWT_SECRET!,
        consumeJobs: options.consumeJobs ?? true,
      }),
      ...(options.imports ?? []),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app, config);
  await app.init();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const http = () => request(app.getHttpServer());
  let counter = 0;

  return {
    app,
    config,
    database,
    dataSource,
    http,
    async signIn(role, regionCode, username) {
      const name = username ?? `${role.toLowerCase()}${++counter}-${regionCode}`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const user = await app.get(UsersService).create({ username: name, password, role, regionCode });
      const response = await http().post(`${API}/auth/login`).send({ username: name, password });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
      const token = response.body.accessToken as string;
      return { id: user.id, username: name, password, role, regionCode, token, auth: `Bearer ${token}` };
    },
    async waitForJob(jobId, user, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await http().get(`${API}/jobs/${jobId}`).set('Authorization', user.auth);
        if (response.status !== 200) throw new Error(`GET job: ${response.status} ${response.text}`);
        if (response.body.state === 'completed' || response.body.state === 'failed') return response.body;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${response.body.state}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
