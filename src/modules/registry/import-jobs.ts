import { Controller, HttpCode, Injectable, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { copyFile, rename, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiFileUpload } from '../../common/openapi/api-file-upload.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';
import { ValidationFailedError } from '../../common/errors.js';
import { DEFAULT_LANGUAGE, type Language } from '../../common/i18n/i18n.js';
import { callerText, currentLanguage, requestContext, type Actor } from '../../common/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { JobProcessor, type FailedJob, type JobContext, type JobHandler } from '../jobs/job-processor.js';
import { JobsService } from '../jobs/jobs.service.js';
import { RegistryImportService, type ImportResult } from './registry-import.service.js';

export const IMPORT_JOB = 'registry.import';

interface ImportJobData {
  /** The upload, kept under DATA_DIR/imports until the job ends (the worker may be another process). */
  path: string;
  size: number;
  dryRun: boolean;
  actor: Actor;
  /** Where the upload came from and its request id: the audit of the import names them. */
  address: string | null;
  requestId: string | null;
  /** The uploader's language (Accept-Language): the problems of a refused file are worded in it. */
  language?: Language;
}

export class ImportJobAcceptedDto {
  @ApiProperty({ description: 'GET /jobs/:id: progress 0-100, then result {dryRun, households, persons}' })
  jobId!: string;
}

interface UploadedFileOnDisk {
  path: string;
  size: number;
}

/**
 * POST /households/import-jobs: the registry import of POST /households/import as a job, for files
 * whose checking and import take long. It answers at once with the job; GET /jobs/:id follows its
 * progress (bytes of the file read, then the writes) and gives its result, or the same
 * IMPORT_REJECTED problem with the errors by line as the job's `error`. All rows or none, as there.
 */
@ApiTags(TAGS.registry)
@Controller('households')
export class RegistryImportJobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
  ) {}

  @Post('import-jobs')
  @HttpCode(202)
  @Roles('CLERK')
  @UseInterceptors(FileInterceptor('file', { dest: tmpdir(), limits: { fileSize: 1024 * 1024 * 1024, files: 1 } }))
  @ApiSummary('批量导入户籍（后台任务，GET /jobs/:id 查看进度和结果）')
  @ApiFileUpload({ description: 'The file of POST /households/import (CSV or XLSX) as the multipart field `file`' })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: ImportJobAcceptedDto })
  @ApiProblems({ 400: ['VALIDATION_FAILED'] })
  async start(
    @UploadedFile() file: UploadedFileOnDisk | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<ImportJobAcceptedDto> {
    if (!file) throw new ValidationFailedError([{ field: 'file', message: callerText('messages.sendFile') }]);
    const dir = resolve(this.config.DATA_DIR, 'imports');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${randomUUID()}.upload`);
    await rename(file.path, path).catch(async () => {
      // The upload is on another file system (tmpfs): copy it, then drop the upload.
      await copyFile(file.path, path);
      await unlink(file.path).catch(() => undefined);
    });
    const context = requestContext.current();
    const data: ImportJobData = {
      path,
      size: (await stat(path)).size,
      dryRun: dryRun === 'true' || dryRun === '1',
      actor,
      address: context?.address ?? null,
      requestId: context?.requestId ?? null,
      language: currentLanguage(),
    };
    return { jobId: await this.jobs.enqueue(IMPORT_JOB, data) };
  }
}

/** Runs the import as its uploader, reporting the share of the file read as progress. */
@Injectable()
@JobProcessor(IMPORT_JOB)
export class RegistryImportJobProcessor implements JobHandler<ImportJobData, ImportResult> {
  constructor(private readonly importer: RegistryImportService) {}

  async run(job: JobContext<ImportJobData>): Promise<ImportResult> {
    const { path, size, dryRun, actor, address, requestId, language } = job.data;
    // A CSV is read twice (its encoding, then its rows), an XLSX once; the writes come last (90-100).
    let read = 0;
    let reported = 0;
    const passes = (await isZip(path)) ? 1 : 2;
    const open = () =>
      createReadStream(path).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            read += chunk.length;
            const percent = Math.min(90, Math.floor((read / Math.max(1, size * passes)) * 90));
            if (percent > reported) {
              reported = percent;
              void job.progress(percent);
            }
            done(null, chunk);
          },
        }),
      );
    const context = { requestId: requestId ?? `job-${job.id}`, actor, language: language ?? DEFAULT_LANGUAGE };
    const result = await requestContext.run({ ...context, ...(address ? { address } : {}) }, () =>
      this.importer.importFile(open, { dryRun, actor }),
    );
    await unlink(path).catch(() => undefined);
    return result;
  }

  async onFailed(_manager: unknown, job: FailedJob<ImportJobData>): Promise<void> {
    await unlink(job.data.path).catch(() => undefined);
  }
}

async function isZip(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { start: 0, end: 3 })) {
    return (chunk as Buffer).subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  }
  return false;
}
