/**
 * The image's build steps fetch from Debian's mirror and the npm registry, and either can fail
 * for a minute (a mirror mid-sync, a reset connection): Docker would fail the build the same way,
 * but a CI run should not go red for it. A step that failed with a network error is run again
 * after a pause; any other failure is the step's own and is reported at once.
 */

export interface StepResult {
  code: number | null;
  output: string;
}

/** What apt, debootstrap, npm and Node print when the network, not the step, failed. */
const NETWORK_FAILURE = new RegExp(
  [
    // apt and debootstrap
    'Temporary failure resolving',
    'Failed to fetch',
    'Unable to fetch some archives',
    'Hash Sum mismatch',
    "Couldn't download",
    'Failed getting release file',
    'Could not connect to',
    'Connection failed',
    'Connection timed out',
    'Could not resolve',
    // curl (addon/build/install-node.sh)
    'Connection reset',
    'Operation timed out',
    'Recv failure',
    // npm and Node
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'EPIPE',
    'ERR_SOCKET_TIMEOUT',
    'socket hang up',
    'network request to .* failed',
    'request to .* failed',
  ].join('|'),
  'i',
);

/** The first line of `output` that says the network failed, if any. */
export function networkFailure(output: string): string | undefined {
  return output.split('\n').find((line) => NETWORK_FAILURE.test(line));
}

export interface RetryOptions {
  /** How many times in all (default 3). */
  tries?: number;
  /** The pause before the next try, ms (default 20 s: a mirror or registry hiccup passes). */
  pauseMs?: number;
  /** Run again after any failure, not only a network one (debootstrap: see base-rootfs.ts). */
  anyFailure?: boolean;
  /** Undoes what a failed try left (a half-built root), before the next. */
  reset?: () => void;
  log: (line: string) => void;
}

/** Runs `attempt` until it succeeds, fails for another reason than the network, or runs out of tries. */
export async function retryOnNetwork(what: string, attempt: () => Promise<StepResult>, opts: RetryOptions): Promise<StepResult> {
  const tries = opts.tries ?? 3;
  const pauseMs = opts.pauseMs ?? 20_000;
  for (let i = 1; ; i++) {
    const result = await attempt();
    if (result.code === 0 || i >= tries) return result;
    const cause = networkFailure(result.output) ?? (opts.anyFailure ? `exit ${result.code}` : undefined);
    if (!cause) return result;
    opts.log(`${what}: try ${i} of ${tries} failed (${cause.trim().slice(0, 160)}); again in ${Math.round(pauseMs / 1000)} s`);
    opts.reset?.();
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
