import { z } from 'zod';

/** `analyzers:` (global defaults) — weapon, faces, pose; documented in docs/analyzers.md. */
export const analyzersSchema = z.object({}).strict();
