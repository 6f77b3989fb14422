import type { AnyAnalyzer } from './analyzer.js';

/**
 * The object labels live analysis reads: `person` (every analyzer may ask for the frame's people)
 * and each label the analyzers that run on some camera name (`objectLabels`). The object detector
 * computes only these classes for live frames (`DetectorOptions.liveLabels`, keep-classes.ts).
 */
export function liveObjectLabels(running: readonly AnyAnalyzer[], config: Record<string, unknown>): string[] {
  const labels = new Set(['person']);
  for (const a of running) for (const l of a.objectLabels?.(a.config.parse(config[a.name] ?? {})) ?? []) labels.add(l);
  return [...labels];
}
