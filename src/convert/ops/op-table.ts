import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import type { OpMapper } from './op-mapper.js';
import { reduceOps } from './reduce.js';
import { shapeOps } from './shape.js';

/** Every TF op the converter maps, by op name. Placeholder, Const and Identity are handled by the converter. */
export const OP_TABLE: Readonly<Record<string, OpMapper>> = { ...convOps, ...elementwiseOps, ...shapeOps, ...reduceOps };
