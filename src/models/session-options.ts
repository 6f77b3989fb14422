import type ort from 'onnxruntime-node';

/** The session options every Argus model runs with (inference-worker.ts), for benches that must time the same. */
export function cpuSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    // Threads spin between the ops of a run (a sleeping thread here takes 0.2–0.3 ms to wake)
    // and stop the moment the run returns: every session has its own thread pool, and a frame
    // runs several models in turn, so threads left spinning after a run took the two cores from
    // the next model (2.3–2.7× slower). Measured in-process A/B: small models −20–30 %, the
    // live analyzers and a full frame the same or faster, CPU time the same (docs/inference.md).
    // Memory (issue 18): no memory pattern (a pre-planned block per session and input shape,
    // held for good) and initializers allocated outside the arena (the arena rounds each growth
    // up to a power of two): 228 → 190 MB for the five default models loaded and run on the clip,
    // no slower (in-process A/B). The arena itself stays: without it every run maps and unmaps
    // its tensors, and CenterNet and BlazeFace ran 1.2–1.3× slower (docs/benchmarks.md).
    enableMemPattern: false,
    extra: { session: { 'intra_op.allow_spinning': '1', force_spinning_stop: '1', use_device_allocator_for_initializers: '1' } },
  };
}
