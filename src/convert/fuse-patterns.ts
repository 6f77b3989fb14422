import { ConvertContext } from './context.js';
import { attr } from './tf-attr.js';
import type { TfjsGraph, TfNode } from './tfjs-model.js';
import type { ConstTensor } from './weights.js';

/**
 * Rewrites activation patterns that TF lowered into several elementwise ops back into the one
 * ONNX op they are: one pass over the tensor instead of four or five, which onnxruntime can then
 * fuse into the convolution before it. Nodes left unused drop out when the converter walks back
 * from the outputs.
 *
 * - PReLU as Keras lowers it: relu(x) + c·(x − |x|) = PRelu(x, 2c), exact in float32.
 * - the same where x is itself ≥ 0 (MobileFaceNet's TFJS conversion fused a ReLU into x, so the
 *   negative part is always 0): a + c·(x − |x|) = a, exactly; x's own convolution then goes unused.
 * - a clip written as max(min(x, hi), lo), after an optional ReLU when lo ≥ 0 (FaceRes' ReLU6):
 *   Clip(x, lo, hi), exact; onnxruntime fuses a Clip into the convolution before it.
 * - hard-swish as MobileNetV3 writes it: (x·c)·relu6(x + 3) = HardSwish(x)·6c, within a few ulp.
 *   CenterNet's c is ⅙ rounded to float16, so the factor 6c stays: carried to the filters of
 *   the convolutions that read the result (through a squeeze-excite gate or a residual block:
 *   carryFactor), or else a Mul.
 */
export function fusePatterns(graph: TfjsGraph): TfjsGraph {
  const match = new PatternMatcher(graph);
  const fused = graph.nodes.flatMap((n) => match.prelu(n) ?? match.zeroNegativePart(n) ?? match.clip(n) ?? match.hardSwish(n) ?? [n]);
  const nodes = fused.flatMap((n) => match.scaledFilter(n) ?? [n]);
  return { ...graph, nodes, weights: match.weights };
}

const FLOAT = { type: 'DT_FLOAT' };
const CONVS = new Set(['Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative']);

class PatternMatcher {
  readonly weights: Map<string, ConstTensor>;
  private readonly byName: Map<string, TfNode>;
  private readonly consumers = new Map<string, TfNode[]>();
  /** Tensors whose scale factor moves into the filters of the convolutions reading them. */
  private readonly pendingScale = new Map<string, number>();
  /** Convolutions on a residual branch that carry a factor: their biases are divided by it (carryFactor). */
  private readonly pendingBias = new Map<string, number>();

  constructor(graph: TfjsGraph) {
    this.weights = new Map(graph.weights);
    this.byName = new Map(graph.nodes.map((n) => [n.name, n]));
    for (const n of graph.nodes) {
      for (const i of n.input ?? []) {
        const ref = ConvertContext.ref(i);
        this.consumers.set(ref, [...(this.consumers.get(ref) ?? []), n]);
      }
    }
    // A graph output is read from outside: it must keep its value.
    for (const o of graph.outputs) {
      const ref = ConvertContext.ref(o.ref);
      this.consumers.set(ref, [...(this.consumers.get(ref) ?? []), { name: `output:${o.key}`, op: 'GraphOutput' }]);
    }
  }

  /** The node producing `ref` if it has op `op` and nothing else reads it. */
  private inner(ref: string, op: string): TfNode | undefined {
    const node = this.byName.get(ConvertContext.ref(ref));
    return node && node.op === op && this.consumers.get(node.name)?.length === 1 ? node : undefined;
  }

  private constOf(ref: string): ConstTensor | undefined {
    const node = this.byName.get(ConvertContext.ref(ref));
    return node?.op === 'Const' ? this.weights.get(node.name) : undefined;
  }

  private constant(name: string, value: ConstTensor): TfNode {
    this.weights.set(name, value);
    return { name, op: 'Const' };
  }

  /** Tries both orders of a binary node's inputs. */
  private either<T>(node: TfNode, f: (a: string, b: string) => T | undefined): T | undefined {
    const [a, b] = node.input ?? [];
    return a && b ? (f(a, b) ?? f(b, a)) : undefined;
  }

  prelu(add: TfNode): TfNode[] | undefined {
    if (add.op !== 'Add' && add.op !== 'AddV2') return undefined;
    return this.either(add, (reluRef, mulRef) => {
      const relu = this.inner(reluRef, 'Relu');
      const mul = this.inner(mulRef, 'Mul');
      if (!relu || !mul) return undefined;
      const x = relu.input![0];
      return this.either(mul, (subRef, cRef) => {
        const sub = this.inner(subRef, 'Sub');
        const c = this.constOf(cRef);
        if (!sub || !c || c.dtype !== 'float32' || sub.input![0] !== x) return undefined;
        const abs = this.inner(sub.input![1], 'Abs');
        if (!abs || abs.input![0] !== x) return undefined;
        const alpha = this.constant(`${add.name}/prelu_alpha`, { ...c, data: Float32Array.from(c.data, (v) => 2 * v) });
        return [alpha, { name: add.name, op: 'Prelu', input: [x, alpha.name], attr: { T: FLOAT } }];
      });
    });
  }

  zeroNegativePart(add: TfNode): TfNode[] | undefined {
    if (add.op !== 'Add' && add.op !== 'AddV2') return undefined;
    return this.either(add, (a, mulRef) => {
      const mul = this.inner(mulRef, 'Mul');
      const sub = mul && this.either(mul, (subRef, cRef) => (this.constOf(cRef) ? this.inner(subRef, 'Sub') : undefined));
      const abs = sub && this.inner(sub.input![1], 'Abs');
      if (!sub || !abs || abs.input![0] !== sub.input![0] || !this.nonNegative(sub.input![0])) return undefined;
      return [{ name: add.name, op: 'Identity', input: [a], attr: { T: FLOAT } }];
    });
  }

  clip(max: TfNode): TfNode[] | undefined {
    if (max.op !== 'Maximum') return undefined;
    return this.either(max, (minRef, loRef) => {
      const min = this.inner(minRef, 'Minimum');
      const lo = scalar(this.constOf(loRef));
      if (!min || lo === undefined) return undefined;
      return this.either(min, (y, hiRef) => {
        const hi = scalar(this.constOf(hiRef));
        if (hi === undefined || lo > hi) return undefined;
        // relu(x) clipped to [lo ≥ 0, hi] is x clipped to [lo, hi].
        const relu = lo >= 0 ? this.inner(y, 'Relu') : undefined;
        const x = relu ? relu.input![0] : y;
        return [{ name: max.name, op: '_Clip', input: [x], attr: { T: FLOAT, clip_min: { f: lo }, clip_max: { f: hi } } }];
      });
    });
  }

  /** Whether a tensor is a ReLU output (alone or fused into a convolution). */
  private nonNegative(ref: string): boolean {
    const node = this.byName.get(ConvertContext.ref(ref));
    if (!node) return false;
    if (node.op === 'Relu' || node.op === 'Relu6') return true;
    const fused = attr.strs(node, 'fused_ops');
    return CONVS.has(node.op) && ['Relu', 'Relu6'].includes(fused[fused.length - 1] ?? '');
  }

  hardSwish(mul: TfNode): TfNode[] | undefined {
    if (mul.op !== 'Mul') return undefined;
    return this.either(mul, (scaledRef, gateRef) => {
      const scaled = this.inner(scaledRef, 'Mul');
      const relu6 = this.inner(gateRef, 'Relu6');
      const add = relu6 && (this.inner(relu6.input![0], 'AddV2') ?? this.inner(relu6.input![0], 'Add'));
      if (!scaled || !add) return undefined;
      return this.either(scaled, (cRef, x) => {
        const c = scalar(this.constOf(cRef));
        const [a, b] = add.input!;
        const three = a === x ? b : b === x ? a : undefined;
        return c === undefined || Math.abs(c * 6 - 1) > 1e-3 || !three || scalar(this.constOf(three)) !== 3 ? undefined : this.swish(mul.name, x, Math.fround(6 * c));
      });
    });
  }

  /** HardSwish(x)·scale under the name `name`: the factor carried to later filters where it can be, else a Mul. */
  private swish(name: string, x: string, scale: number): TfNode[] {
    const carried = scale === 1 ? undefined : this.carryFactor(name);
    if (scale === 1 || carried) {
      for (const t of carried?.region ?? []) this.pendingScale.set(t, scale);
      for (const conv of carried?.biasConvs ?? []) this.pendingBias.set(conv, scale);
      return [{ name, op: '_HardSwish', input: [x], attr: { T: FLOAT } }];
    }
    const swish: TfNode = { name: `${name}/hardswish`, op: '_HardSwish', input: [x], attr: { T: FLOAT } };
    const factor = this.constant(`${name}/scale`, { dtype: 'float32', shape: [], data: Float32Array.of(scale) });
    return [swish, factor, { name, op: 'Mul', input: [swish.name, factor.name], attr: { T: FLOAT } }];
  }

  /**
   * Where a tensor's constant factor can go instead of a Mul over the whole map (on CenterNet's
   * 256×256×16 stem, 1.3 ms a run): the tensor may hold value ÷ factor if every path from it
   * carries the factor unchanged (a mean, a product with something else, a ReLU, a sum with a
   * tensor that carries it too) and ends in a convolution's filter. A residual block's branch
   * (linear convolutions from the tensor back to the sum) carries it with its biases divided:
   * relu(W·(s·x) + b) = s·relu(W·x + b/s). `region`: the tensors that hold value ÷ factor, whose
   * reading convolutions take the factor into their filters; `biasConvs`: the branch's
   * convolutions. Undefined when some path ends anywhere else (a graph output, a Relu6).
   */
  private carryFactor(start: string): { region: Set<string>; biasConvs: Set<string> } | undefined {
    const region = new Set([start]);
    const biasConvs = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const t = queue.shift()!;
      for (const reader of this.consumers.get(t) ?? []) {
        if (biasConvs.has(reader.name) || this.filtered(reader, t)) continue;
        const branch = this.carriedBy(reader, t, region);
        if (!branch) return undefined;
        for (const conv of branch) {
          biasConvs.add(conv.name);
          region.add(conv.name);
        }
        if (!region.has(reader.name)) queue.push(reader.name);
        region.add(reader.name);
      }
    }
    return { region, biasConvs };
  }

  /**
   * Whether `reader` of `t` (which holds value ÷ factor) passes the factor on to its output: the
   * branch of convolutions that must carry it too for that (none but for a sum), or undefined.
   */
  private carriedBy(reader: TfNode, t: string, region: ReadonlySet<string>): TfNode[] | undefined {
    const inputs = (reader.input ?? []).map((i) => ConvertContext.ref(i));
    const other = inputs.length === 2 ? inputs.find((i) => i !== t) : undefined;
    if ((reader.op === 'Mean' && inputs[0] === t) || reader.op === 'Relu') return [];
    if (other === undefined) return undefined;
    if (reader.op === 'Mul') return region.has(other) ? undefined : [];
    if (reader.op === 'Add' || reader.op === 'AddV2') return region.has(other) ? [] : this.linearBranch(other, region);
    return undefined;
  }

  /** Whether `conv` is a convolution reading `ref` as its input through a constant filter. */
  private filtered(conv: TfNode, ref: string): boolean {
    return CONVS.has(conv.op) && ConvertContext.ref(conv.input![0]) === ref && this.constOf(conv.input![1]) !== undefined;
  }

  /**
   * The convolutions from a tensor in `region` to `ref`, each read by the next alone and linear
   * but for a ReLU (a bias and maybe a ReLU fused in, nothing else); undefined if `ref` is not
   * such a branch.
   */
  private linearBranch(ref: string, region: ReadonlySet<string>): TfNode[] | undefined {
    const branch: TfNode[] = [];
    for (let node = this.byName.get(ConvertContext.ref(ref)); node !== undefined; node = this.byName.get(ConvertContext.ref(node.input![0]))) {
      if (!this.biasedLinear(node) || (this.consumers.get(node.name) ?? []).length !== 1) return undefined;
      branch.push(node);
      if (region.has(ConvertContext.ref(node.input![0]))) return branch;
    }
    return undefined;
  }

  /** A convolution with a constant filter and bias and at most a ReLU fused after: relu(W·x + b). */
  private biasedLinear(node: TfNode): boolean {
    if (node.op !== '_FusedConv2D' && node.op !== 'FusedDepthwiseConv2dNative') return false;
    const fused = attr.strs(node, 'fused_ops');
    const ops = fused.join(',');
    return (ops === 'BiasAdd' || ops === 'BiasAdd,Relu') && this.constOf(node.input![1]) !== undefined && this.constOf(node.input![2]) !== undefined;
  }

  /** A convolution reading a scaled tensor, with the scale moved into a copy of its filter. */
  scaledFilter(conv: TfNode): TfNode[] | undefined {
    const divisor = this.pendingBias.get(conv.name);
    if (divisor !== undefined) {
      const b = this.constOf(conv.input![2])!;
      const bias = this.constant(`${conv.name}/divided_bias`, { ...b, data: Float32Array.from(b.data, (v) => v / divisor) });
      return [bias, { ...conv, input: [conv.input![0], conv.input![1], bias.name, ...conv.input!.slice(3)] }];
    }
    const scale = CONVS.has(conv.op) ? this.pendingScale.get(ConvertContext.ref(conv.input![0])) : undefined;
    if (scale === undefined) return undefined;
    const w = this.constOf(conv.input![1])!;
    const filter = this.constant(`${conv.name}/scaled_filter`, { ...w, data: Float32Array.from(w.data, (v) => v * scale) });
    return [filter, { ...conv, input: [conv.input![0], filter.name, ...conv.input!.slice(2)] }];
  }
}

function scalar(t: ConstTensor | undefined): number | undefined {
  return t !== undefined && t.dtype === 'float32' && t.data.length === 1 ? t.data[0] : undefined;
}
