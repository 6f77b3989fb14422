import type { ConvertContext } from '../context.js';
import type { TfNode } from '../tfjs-model.js';

/** Emits the ONNX nodes for one TF node and records its outputs in the context. */
export type OpMapper = (node: TfNode, ctx: ConvertContext) => void;
