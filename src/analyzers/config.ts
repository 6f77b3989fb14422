import { z } from 'zod';
import { cameraSchemaOf, type AnyAnalyzer, type CameraAnalyzerBase } from './analyzer.js';
import type { FacesConfig } from './faces/config.js';
import { ANALYZERS } from './list.js';
import type { ObjectConfig } from './object/config.js';
import type { PersonConfig } from './person/config.js';
import type { PoseCameraConfig, PoseConfig } from './pose/config.js';
import type { ProctorCameraConfig } from './proctor/config.js';
import type { WeaponConfig } from './weapon/config.js';

/** `analyzers:` (global options, one section per analyzer in the list) and `cameras.<name>.analyzers:`; documented in docs/analyzers.md. */

const regionsSchema = z
  .object({
    /** Crop square regions around motion instead of shrinking the whole frame (as Frigate does). */
    enabled: z.boolean().default(true),
    /** Side of a region in frame pixels at least: the object model's input (CenterNet: 512). */
    size: z.number().int().min(32).default(512),
    /** Crop only when the frame's longer side is at least this many times `size`. */
    min_ratio: z.number().min(1).default(1.5),
    /** At most this many regions a frame; beyond it the whole frame is used. */
    max_regions: z.number().int().min(1).default(4),
  })
  .strict();

/** The sections every list has, beside one per analyzer. */
const sharedShape = {
  regions: regionsSchema.prefault({}),
  /** Frames analyzed at once across all cameras (each still fair: one camera never has two in flight). */
  concurrency: z.number().int().min(1).max(16).default(1),
  /**
   * While frames wait (Argus cannot keep up): `essentials` lets the essential analyzers (weapons,
   * watched objects) see every frame it can and the others a fair share of them; `drop` skips
   * whole frames instead, as before 2026-12-05; `beside` also lets the essential analyzers see
   * one more frame while another is analysed in full (docs/analyzers.md).
   */
  under_load: z.enum(['essentials', 'beside', 'drop']).default('essentials'),
};

/** `analyzers:` for a list of analyzers: each one's options under its name. */
export function analyzersSchemaFor(list: readonly AnyAnalyzer[]) {
  return z.object({ ...sharedShape, ...Object.fromEntries(list.map((a) => [a.name, a.config.prefault({})])) }).strict();
}

/** `cameras.<name>.analyzers:` for a list: per analyzer `enabled`, `schedule`, `required_zones` and its own extras. */
export function cameraAnalyzersSchemaFor(list: readonly AnyAnalyzer[]) {
  return z.object(Object.fromEntries(list.map((a) => [a.name, cameraSchemaOf(a).prefault({})]))).strict();
}

/** The built-in analyzers' options, typed (tests and the pose routes read them). */
export interface AnalyzersConfig {
  regions: z.infer<typeof regionsSchema>;
  concurrency: number;
  under_load: 'essentials' | 'beside' | 'drop';
  person: PersonConfig;
  weapon: WeaponConfig;
  object: ObjectConfig;
  faces: FacesConfig;
  pose: PoseConfig;
  [analyzer: string]: unknown;
}
export type CameraAnalyzersConfig = Record<string, CameraAnalyzerBase & Record<string, unknown>> & {
  pose: CameraAnalyzerBase & PoseCameraConfig;
  proctor: CameraAnalyzerBase & ProctorCameraConfig;
};

export const analyzersSchema = analyzersSchemaFor(ANALYZERS) as unknown as z.ZodType<AnalyzersConfig, unknown>;
export const cameraAnalyzersSchema = cameraAnalyzersSchemaFor(ANALYZERS) as unknown as z.ZodType<CameraAnalyzersConfig, unknown>;
