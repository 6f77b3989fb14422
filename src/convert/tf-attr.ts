import { OnnxType } from './onnx-writer.js';
import type { TfAttr, TfNode } from './tfjs-model.js';

/** TF DataType enum name → ONNX element type. */
export function onnxTypeOfTf(dt: string | undefined): OnnxType | undefined {
  switch (dt) {
    case 'DT_FLOAT':
      return OnnxType.float;
    case 'DT_INT32':
      return OnnxType.int32;
    case 'DT_INT64':
      return OnnxType.int64;
    case 'DT_BOOL':
      return OnnxType.bool;
    case 'DT_UINT8':
      return OnnxType.uint8;
    default:
      return undefined;
  }
}

/** Typed readers for NodeDef attributes (strings are base64 in model.json). */
export const attr = {
  str(node: TfNode, key: string, fallback = ''): string {
    const s = node.attr?.[key]?.s;
    return s === undefined ? fallback : Buffer.from(s, 'base64').toString('utf8');
  },
  strs(node: TfNode, key: string): string[] {
    return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  },
  int(node: TfNode, key: string, fallback = 0): number {
    const i = node.attr?.[key]?.i;
    return i === undefined ? fallback : Number(i);
  },
  ints(node: TfNode, key: string): number[] {
    return (node.attr?.[key]?.list?.i ?? []).map(Number);
  },
  float(node: TfNode, key: string, fallback = 0): number {
    return node.attr?.[key]?.f ?? fallback;
  },
  bool(node: TfNode, key: string, fallback = false): boolean {
    return node.attr?.[key]?.b ?? fallback;
  },
  type(node: TfNode, key: string): string | undefined {
    return (node.attr?.[key] as TfAttr | undefined)?.type;
  },
};

/** The data inputs of a node (control dependencies `^x` dropped). */
export function dataInputs(node: TfNode): string[] {
  return (node.input ?? []).filter((i) => !i.startsWith('^'));
}
