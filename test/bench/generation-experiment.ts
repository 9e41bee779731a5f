import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { requestContext, type Actor } from '../../src/common/request-context.js';
import { DisbursementsService } from '../../src/modules/disbursements/disbursements.service.js';
import { JobsService } from '../../src/modules/jobs/jobs.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { startBenchApp } from './app.js';

/**
 * Batch generation alone, measured on a database kept by `npm run bench -- --keep-database`
 * (its enrollments are there): the service generates `RURAL_REWARD` and the monthly `OCP_REWARD`
 * of every county for periods the bench did not pay, so nothing is covered yet, exactly as the
 * bench's generation stage does. Run it under `node --cpu-prof` to see where the time goes.
 *
 * Usage: node dist/test/bench/generation-experiment.js DATABASE_URL [YEAR]   (YEAR default 2024)
 */
const url = process.argv[2];
const year = process.argv[3] ?? '2024';
const env: NodeJS.ProcessEnv = { ...process.env, JWT_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn' };
delete env.REDIS_URL;
const app = await startBenchApp(env, url);
try {
  const users = app.get(UsersService);
  const disbursements = app.get(DisbursementsService);
  const jobs = app.get(JobsService);
  const counties: string[] = (
    await app.get(DataSource).query(`SELECT code FROM regions WHERE level = 'COUNTY' ORDER BY code`)
  ).map((row: { code: string }) => row.code);
  const suffix = randomBytes(3).toString('hex');
  const started = process.hrtime.bigint();
  const created: { id: string; jobId: string; actor: Actor }[] = [];
  for (const county of counties) {
    const user = await users.create({
      username: `gen-${suffix}-${county}`,
      password: `pw-${suffix}-secret`,
      role: 'OFFICER',
      regionCode: county,
    });
    const actor: Actor = { id: user.id, username: user.username, role: 'OFFICER', regionCode: county };
    for (const [policyCode, period] of [
      ['RURAL_REWARD', year],
      ['OCP_REWARD', `${year}-03`],
    ]) {
      const { batch, jobId } = await requestContext.run({ requestId: `gen-${suffix}`, actor }, () =>
        disbursements.create(actor, { policyCode, period, countyCode: county }),
      );
      created.push({ id: batch.id, jobId, actor });
    }
  }
  for (const batch of created) {
    for (;;) {
      const job = await jobs.get(batch.jobId);
      if (job.state === 'failed') throw new Error(`generation failed: ${JSON.stringify(job.error)}`);
      if (job.state === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const batches = await Promise.all(created.map((b) => disbursements.get(b.actor, b.id)));
  const lines = batches.reduce((sum, b) => sum + b.lineCount, 0);
  const exceptions = batches.reduce((sum, b) => sum + b.exceptionCount, 0);
  process.stdout.write(
    `generation ${year}: ${batches.length} batches, ${lines} lines, ${exceptions} exceptions in ${seconds.toFixed(2)} s ` +
      `= ${Math.round(lines / seconds)} lines/s\n`,
  );
} finally {
  await app.close();
}
