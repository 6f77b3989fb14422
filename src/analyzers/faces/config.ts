import { z } from 'zod';

/** `analyzers.faces`; documented in docs/analyzers.md. */
export const facesSchema = z
  .object({
    /**
     * Two unknown faces at least this similar (cosine) are the same stranger, for the cooldown
     * (different people on the fixture photos reach 0.66).
     * Who a face is comes from the registry, at its `faces.threshold`.
     */
    unknown_similarity: z.number().min(-1).max(1).default(0.7),
    /** Faces narrower than this (pixels at detect size) are skipped: too small to recognise. */
    min_face_px: z.number().int().min(1).default(32),
    /** Variance of the Laplacian of the face scaled to 64 px; below it the face is too blurred to embed. */
    min_sharpness: z.number().min(0).default(30),
    /**
     * Faces turned further than this from frontal (degrees, estimated from the landmarks) are
     * skipped: a turned face's embedding is as close to strangers as to its own person. 90 turns
     * it off, the default: the calibration split did not gain from it (docs/faces.md).
     */
    max_yaw: z.number().min(0).max(90).default(90),
    /** Frames in a row of one face track that must give the same name before it is given (1: every frame on its own). */
    confirm_frames: z.number().int().min(1).max(50).default(2),
    /**
     * A face followed from the last frame whose name has settled (confirmed, or a stranger) keeps
     * its embedding for this many frames while it stays put, then is embedded again (1: every frame).
     */
    reembed_frames: z.number().int().min(1).max(50).default(3),
    /** Seconds a person must go unseen on a camera before they count as a new visit (one visit, one event). */
    cooldown: z.number().min(0).default(60),
  })
  .strict();

export type FacesConfig = z.infer<typeof facesSchema>;
