import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProduces, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export interface DownloadOptions {
  description: string;
  /** The content types of the file (text/csv, XLSX, text/plain). */
  files: readonly string[];
  /** The schema of the JSON form, when the route also answers JSON (reports with format=json). */
  json?: Type<unknown>;
  status?: number;
}

/**
 * A 200 whose body is a file (CSV as text, XLSX as bytes) or, where the route offers it, JSON of
 * the given schema: each content type gets its own schema instead of one schema for all.
 */
export function ApiDownload(options: DownloadOptions) {
  const content: Record<string, { schema: Record<string, unknown> }> = {};
  if (options.json) content['application/json'] = { schema: { $ref: getSchemaPath(options.json) } };
  for (const type of options.files) {
    content[type] = { schema: type.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' } };
  }
  return applyDecorators(
    ...(options.json ? [ApiExtraModels(options.json)] : []),
    ApiProduces(...Object.keys(content)),
    ApiResponse({ status: options.status ?? 200, description: options.description, content }),
  );
}
