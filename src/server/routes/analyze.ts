import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ImageAnalysis } from '../../models/analyze-image.js';
import { analyzeImage } from '../../models/analyze-image.js';
import type { Detector, ModelFamily } from '../../models/detector.js';
import { MODEL_FAMILIES } from '../../models/detector.js';
import { ImageLoadError, loadImage } from '../../vision/image.js';

/** The seeds' upload page took 5 MB; a phone photo fits, a video or a bomb does not. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface AnalyzeDeps {
  /** Undefined while the models are not loaded (e.g. not built yet). */
  detector(): Detector | undefined;
  /** Names a face from the registry, when there is one. */
  matchFace?(embedding: Float32Array): { name: string; similarity: number } | null;
}

type NamedAnalysis = Omit<ImageAnalysis, 'faces'> & {
  faces: Array<ImageAnalysis['faces'][number] & { name: string | null; similarity: number | null }>;
};

/** `POST /api/analyze`: one uploaded photo in, objects, named faces and poses out (the drag-and-drop page). */
export function analyzeRoutes(deps: AnalyzeDeps) {
  return (app: FastifyInstance): void => {
    void app.register(async (scope) => {
      await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } });
      scope.post('/api/analyze', async (req, reply) => {
        const detector = deps.detector();
        if (!detector) return reply.code(503).send({ error: 'the models are not loaded: run "argus models build" and restart', code: 'models_missing' });
        if (!req.isMultipart()) return reply.code(400).send({ error: 'send the photo as multipart/form-data in a field named "file"', code: 'not_multipart' });
        const file = await req.file();
        if (!file) return reply.code(400).send({ error: 'no file in the upload', code: 'no_file' });
        const tooLarge = () => reply.code(413).send({ error: `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, code: 'too_large' });
        let bytes: Buffer;
        try {
          bytes = await file.toBuffer();
        } catch (err) {
          if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
          throw err;
        }
        if (file.file.truncated) return tooLarge();
        let img;
        try {
          img = await loadImage(bytes);
        } catch (err) {
          if (err instanceof ImageLoadError) return reply.code(err.code === 'too_large' ? 413 : 400).send({ error: err.message, code: err.code });
          throw err;
        }
        const families = MODEL_FAMILIES.filter((f: ModelFamily) => detector.has(f));
        const result = await analyzeImage(detector, img, { file: file.filename, families, embeddings: Boolean(deps.matchFace) });
        const named: NamedAnalysis = {
          ...result,
          faces: result.faces.map(({ embedding, ...face }) => {
            const match = embedding && deps.matchFace ? deps.matchFace(Float32Array.from(embedding)) : null;
            return { ...face, name: match?.name ?? null, similarity: match ? Math.round(match.similarity * 1000) / 1000 : null };
          }),
        };
        return named;
      });
    });
  };
}
