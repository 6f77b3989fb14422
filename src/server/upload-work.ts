import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inUploadLane } from '../models/lane.js';
import { ImageLoadError, imageSize, UPLOAD_FIT_PIXELS } from '../vision/image.js';
import { HttpError } from './http-error.js';
import type { UploadedFile } from './upload.js';
import type { WorkBudget, WorkTicket } from './work-budget.js';

const tickets = new WeakMap<FastifyRequest, WorkTicket>();

/** Beyond the pixels: model inputs, crops and sharp's own buffers for one image. */
const OVERHEAD_BYTES = 16 * 1024 * 1024;

/**
 * Every route with `config.upload` takes a ticket from the budget before its body is read (a
 * full budget answers 503 at once), and gives it back when the answer has gone or the client
 * has hung up.
 */
export function installWorkBudget(app: FastifyInstance, budget: WorkBudget): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config.upload) return;
    const ticket = budget.admit();
    tickets.set(req, ticket);
    reply.raw.once('close', () => ticket.release());
  });
}

/** Pixels of each photo as it will be decoded, read from the headers: 413 over the limit, 415 for a non-image. */
export async function decodedSizes(files: UploadedFile[]): Promise<Array<{ width: number; height: number }>> {
  const sizes = [];
  for (const file of files) {
    try {
      sizes.push(await imageSize(file.data, { fitPixels: UPLOAD_FIT_PIXELS }));
    } catch (err) {
      if (!(err instanceof ImageLoadError)) throw err;
      throw new HttpError(err.code === 'too_large' ? 413 : 415, err.code === 'unreadable' ? 'not_an_image' : err.code, `${file.name}: ${err.message}`);
    }
  }
  return sizes;
}

/**
 * Runs an upload's image work within the budget and in the upload lane (models/lane.ts), so
 * live cameras keep the models first. Its memory is estimated from the largest photo's header:
 * the photos of one request are decoded one after another.
 */
export async function photoWork<T>(req: FastifyRequest, files: UploadedFile[], work: () => Promise<T>): Promise<T> {
  const sizes = await decodedSizes(files);
  const cost = Math.max(0, ...sizes.map((s) => s.width * s.height * 3)) * 2 + OVERHEAD_BYTES;
  return budgetedWork(req, cost, work);
}

/** Runs `work` within the request's ticket (if the server has a budget) and in the upload lane. */
export function budgetedWork<T>(req: FastifyRequest, costBytes: number, work: () => Promise<T>): Promise<T> {
  const lane = () => inUploadLane(work);
  const ticket = tickets.get(req);
  return ticket ? ticket.run(costBytes, lane) : lane();
}
