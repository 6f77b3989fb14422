import type { AnalyzerModels, AnyAnalyzer } from '../../src/analyzers/analyzer.js';
import { FrameAnalyzer, type FrameAnalyzerOptions } from '../../src/analyzers/frame-analyzer.js';
import { silentLogger } from '../../src/log.js';

/** No model at all (analyzers that need none, like the throwaway "glow"). */
const noModels = { has: () => false } as unknown as AnalyzerModels;

/** A FrameAnalyzer over `analyzers` with stand-in models, no registry, no reference poses, the clock at 0. */
export function frameAnalyzerOf(analyzers: AnyAnalyzer[], opts: Partial<Pick<FrameAnalyzerOptions, 'models' | 'switchedOff' | 'onIdle' | 'config'>> = {}): FrameAnalyzer {
  return new FrameAnalyzer({
    analyzers,
    models: noModels,
    matchFace: () => null,
    references: () => [],
    config: {} as never,
    cameras: {},
    now: () => 0,
    logger: silentLogger(),
    ...opts,
  });
}
