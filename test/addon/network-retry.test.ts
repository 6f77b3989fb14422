import { describe, expect, it } from 'vitest';
import { networkFailure, retryOnNetwork, type StepResult } from './network-retry.js';

// Lines as apt-get, debootstrap, npm and curl print them.
const APT = 'E: Failed to fetch http://deb.debian.org/debian/pool/main/f/ffmpeg/libavcodec61_7.1.2-0+deb13u1_amd64.deb  Connection failed [IP: 151.101.2.132 80]';
const DEBOOTSTRAP =
  "W: Couldn't download package zlib1g (ver 1:1.3.dfsg+really1.3.1-1+deb13u1 arch arm64) at http://deb.debian.org/debian/pool/main/z/zlib/zlib1g_1.3.dfsg%2Breally1.3.1-1%2Bdeb13u1_arm64.deb";
const NPM = 'npm error code ECONNRESET\nnpm error network aborted\nnpm error network This is a problem related to network connectivity.';
const CURL = 'curl: (56) Recv failure: Connection reset by peer';
const OWN = 'npm error code ELIFECYCLE\nnpm error command failed\nsh: 1: node-gyp: not found\nE: Unable to locate package ffmpegg';

describe('networkFailure', () => {
  it('finds the line by which apt, debootstrap, npm or curl say the network failed', () => {
    expect(networkFailure(`Reading package lists...\n${APT}\nE: Unable to fetch some archives`)).toBe(APT);
    expect(networkFailure(`I: Retrieving zlib1g\n${DEBOOTSTRAP}`)).toBe(DEBOOTSTRAP);
    expect(networkFailure(NPM)).toBe('npm error code ECONNRESET');
    expect(networkFailure(CURL)).toBe(CURL);
  });

  it('says nothing of a step that failed by itself (a missing package, a failing build)', () => {
    expect(networkFailure(OWN)).toBeUndefined();
  });
});

describe('retryOnNetwork', () => {
  const steps = (...results: StepResult[]) => {
    let calls = 0;
    return { attempt: async () => results[Math.min(calls++, results.length - 1)], calls: () => calls };
  };
  const quiet = { pauseMs: 1, log: () => {} };

  it('runs a step again after a network failure, and resets what the failed try left', async () => {
    const s = steps({ code: 100, output: APT }, { code: 0, output: 'ok' });
    let resets = 0;
    const lines: string[] = [];
    const r = await retryOnNetwork('apt-get', s.attempt, { ...quiet, reset: () => resets++, log: (l) => lines.push(l) });
    expect(r).toEqual({ code: 0, output: 'ok' });
    expect(s.calls()).toBe(2);
    expect(resets).toBe(1);
    expect(lines[0]).toMatch(/^apt-get: try 1 of 3 failed \(E: Failed to fetch/);
  });

  it('reports a failure of the step itself at once', async () => {
    const s = steps({ code: 1, output: OWN }, { code: 0, output: 'ok' });
    expect((await retryOnNetwork('npm ci', s.attempt, quiet)).code).toBe(1);
    expect(s.calls()).toBe(1);
  });

  it('gives up after its tries, with the last try’s output', async () => {
    const s = steps({ code: 1, output: NPM }, { code: 1, output: CURL });
    const r = await retryOnNetwork('npm ci', s.attempt, { ...quiet, tries: 3 });
    expect(r).toEqual({ code: 1, output: CURL });
    expect(s.calls()).toBe(3);
  });

  it('with anyFailure, runs again whatever the failure said', async () => {
    const s = steps({ code: 1, output: 'I: Validating zlib1g' }, { code: 0, output: 'ok' });
    expect((await retryOnNetwork('debootstrap', s.attempt, { ...quiet, anyFailure: true })).code).toBe(0);
    expect(s.calls()).toBe(2);
  });
});
