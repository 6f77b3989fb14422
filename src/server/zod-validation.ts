import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyPluginOptions,
  FastifySchemaCompiler,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { z } from 'zod';
import { HttpError } from './http-error.js';

/** Route schemas are zod schemas: request types come from them, as config types do (`z.infer`). */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

/** The keys an object schema knows, looking through `.nullable()` and `.optional()`. */
function keysOf(schema: z.ZodType): string[] | undefined {
  if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) return keysOf(schema.unwrap() as z.ZodType);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

/** One sentence naming the first thing wrong, e.g. `bad body: external_id: expected string, received number`. */
export function describeIssue(error: z.ZodError, schema: z.ZodType, part: string): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = keysOf(schema);
    const known = keys ? `; known: ${keys.join(', ')}` : '';
    return `bad ${part}: unknown parameter(s) ${issue.keys.join(', ')}${known}`;
  }
  const key = issue.path.join('.');
  return `bad ${part}: ${key ? `${key}: ` : ''}${issue.message}`;
}

/** Parses `value` or throws a 400 `bad_request` that says what was wrong: for inputs no route schema covers (form fields). */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'bad_request', describeIssue(parsed.error, schema, part));
  return parsed.data;
}

/** Fastify's validator compiler for zod route schemas; a failure reaches the error handler as a 400 `bad_request`. */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, url }) => {
  if (!(schema instanceof z.ZodType)) throw new Error(`route ${url}: its ${httpPart} schema must be a zod schema`);
  const part = PART_NAMES[httpPart ?? 'body'] ?? String(httpPart);
  return (data: unknown) => {
    const parsed = schema.safeParse(data);
    return parsed.success ? { value: parsed.data } : { error: new HttpError(400, 'bad_request', describeIssue(parsed.error, schema, part)) };
  };
};

/** The scope a route plugin gets: request types inferred from its zod schemas. */
export type ApiScope = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A route group: a plugin registered with a prefix, its options the services it uses. */
export type ApiPlugin<Opts extends FastifyPluginOptions> = FastifyPluginAsync<Opts, RawServerDefault, ZodTypeProvider>;
