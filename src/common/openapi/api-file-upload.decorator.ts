import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, type SchemaObject } from '@nestjs/swagger';

export interface FileUploadOptions {
  /** What the file is (shown on the docs page beside the file picker). */
  description: string;
  /** Other content types the route also takes as the whole body (text/csv, XLSX). */
  alsoAsBody?: readonly string[];
  /** Other multipart form fields, by name. */
  fields?: Record<string, SchemaObject>;
}

/**
 * A route that takes a file: `multipart/form-data` with a binary `file` (the docs page then offers
 * a file picker), plus any other form fields, and optionally the same file as the whole body.
 */
export function ApiFileUpload(options: FileUploadOptions) {
  const form: SchemaObject = {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', format: 'binary', description: options.description }, ...options.fields },
  };
  return applyDecorators(
    ApiConsumes('multipart/form-data', ...(options.alsoAsBody ?? [])),
    ApiBody({ description: options.description, schema: form }),
  );
}
