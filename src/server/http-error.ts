/**
 * A refusal the client can act on: the HTTP status, a word for programs (`code`) and a sentence
 * for people. The error handler sends it as `{ error, code, ...details }`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra facts for the caller, sent beside `error` and `code`. */
    readonly details?: Record<string, unknown>,
    /** Headers the answer carries (`Retry-After` on a 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The body of every error answer. */
export interface ErrorBody {
  error: string;
  code: string;
  [detail: string]: unknown;
}

const MB = 1024 * 1024;

/** "5 MB", "1.5 MB", "64 KB": a limit as a person would say it. */
export function megabytes(bytes: number): string {
  return bytes >= MB ? `${Number((bytes / MB).toFixed(1))} MB` : `${Number((bytes / 1024).toFixed(1))} KB`;
}
