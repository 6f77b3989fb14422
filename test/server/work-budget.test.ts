import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http-error.js';
import { WorkBudget } from '../../src/server/work-budget.js';
import { UploadGate } from '../../src/models/upload-gate.js';

const MB = 1024 * 1024;
const later = () => {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { done, open };
};

describe('WorkBudget', () => {
  it('lets in concurrency + queue requests and refuses the next with 503 busy and Retry-After', () => {
    const budget = new WorkBudget({ concurrency: 2, queue: 1, memoryBytes: 100 * MB, maxWaitMs: 1000 });
    const tickets = [budget.admit(), budget.admit(), budget.admit()];
    const refused = (() => {
      try {
        budget.admit();
      } catch (err) {
        return err as HttpError;
      }
    })();
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused?.statusCode).toBe(503);
    expect(refused?.code).toBe('busy');
    expect(Number(refused?.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    tickets[0].release();
    tickets[0].release(); // twice is once
    expect(budget.stats.admitted).toBe(2);
    expect(() => budget.admit()).not.toThrow();
  });

  it('runs at most `concurrency` jobs, and no more memory than the ceiling (a larger job runs alone)', async () => {
    const budget = new WorkBudget({ concurrency: 3, queue: 10, memoryBytes: 100 * MB, maxWaitMs: 5000 });
    const ticket = budget.admit();
    let peak = 0;
    const job = (cost: number, gate: Promise<void>) =>
      ticket.run(cost * MB, async () => {
        peak = Math.max(peak, budget.stats.running);
        await gate;
        return cost;
      });
    const a = later();
    const b = later();
    const c = later();
    const runs = [job(60, a.done), job(60, b.done), job(150, c.done)];
    await new Promise((r) => setTimeout(r, 10));
    expect(budget.stats).toMatchObject({ running: 1, waiting: 2 }); // 60 + 60 > 100
    a.open();
    await new Promise((r) => setTimeout(r, 10));
    expect(budget.stats).toMatchObject({ running: 1, waiting: 1 });
    b.open();
    await new Promise((r) => setTimeout(r, 10));
    expect(budget.stats).toMatchObject({ running: 1, usedBytes: 150 * MB }); // over the ceiling, so alone
    c.open();
    expect(await Promise.all(runs)).toEqual([60, 60, 150]);
    expect(peak).toBe(1);
    expect(budget.stats).toMatchObject({ running: 0, waiting: 0, usedBytes: 0 });
  });

  it('refuses a job that waited longer than maxWaitMs with 503', async () => {
    const budget = new WorkBudget({ concurrency: 1, queue: 5, memoryBytes: 100 * MB, maxWaitMs: 30 });
    const ticket = budget.admit();
    const hold = later();
    const first = ticket.run(1, () => hold.done);
    const second = ticket.run(1, async () => 'ran').catch((err: HttpError) => err.code);
    expect(await second).toBe('busy');
    hold.open();
    await first;
    expect(budget.stats).toMatchObject({ running: 0, waiting: 0 });
  });
});

describe('UploadGate', () => {
  it('admits upload work only on an idle worker, after live work has left it alone for the grace', async () => {
    let idle: string | undefined;
    const gate = new UploadGate(() => idle, 20);
    const started: string[] = [];
    const run = gate.admit(async (w) => {
      started.push(w);
      return w;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toEqual([]); // no idle worker
    idle = 'w1';
    gate.liveActivity();
    gate.pump();
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual([]); // live work just ran: wait for the quiet
    await expect(run).resolves.toBe('w1');
    gate.close(new Error('closed'));
  });

  it('fails waiting work when closed', async () => {
    const gate = new UploadGate<string>(() => undefined);
    const run = gate.admit(async (w) => w);
    gate.close(new Error('session pool is closed'));
    await expect(run).rejects.toThrow('closed');
  });
});
