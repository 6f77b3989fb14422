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

/** "5 MB", "0.5 MB": limits are configured in megabytes, so they are spoken in megabytes. */
export function megabytes(bytes: number): string {
  return `${Number((bytes / MB).toFixed(2))} MB`;
}
