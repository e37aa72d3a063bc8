import { describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import type { Db } from '../db/db.js';
import { DeadlineJob, type OverdueCase } from './deadline-job.js';

const X: OverdueCase = { id: '00000000-0000-4000-8000-000000000001', caseCode: 'XS-2026-0001', townshipCode: 'xingsha' };

/** A database whose first read is slow and answers from before a seal; later reads answer at once, without it. */
function racingDb() {
  let release!: () => void;
  const slowDone = new Promise<void>((r) => (release = r));
  let reads = 0;
  const db = {
    query: async () => {
      reads++;
      if (reads === 1) {
        await slowDone;
        return { rows: [X], rowCount: 1 };
      }
      return { rows: [], rowCount: 0 };
    },
  } as unknown as Db;
  return { db, release, reads: () => reads };
}

describe('overdue alerts published in the order they were read', () => {
  it('a list read before a seal never lands after the list read since', async () => {
    const { db, release, reads } = racingDb();
    const published: OverdueCase[][] = [];
    const job = new DeadlineJob(db, createLogger('test', 'error'), undefined, (list) => published.push(list));
    const sweepPublish = job.publishOverdue(); // the sweep's read, slow, from before the seal
    const afterSeal = job.refreshEverywhere(); // the seal's refresh
    // The second read waits for the first publish: it has not started while the first read is stuck.
    await new Promise((r) => setTimeout(r, 20));
    expect(reads()).toBe(1);
    release();
    await Promise.all([sweepPublish, afterSeal]);
    expect(published).toEqual([[X], []]);
  });

  it('a failed read does not stop the ones after it, and asks the other nodes once per refresh', async () => {
    let reads = 0;
    const db = {
      query: async () => {
        if (++reads === 1) throw new Error('connection reset');
        return { rows: [X], rowCount: 1 };
      },
    } as unknown as Db;
    const published: OverdueCase[][] = [];
    const job = new DeadlineJob(db, createLogger('test', 'error'), undefined, (list) => published.push(list));
    let shared = 0;
    job.shareRefresh = () => void shared++;
    await expect(job.publishOverdue()).rejects.toThrow('connection reset');
    await job.refreshEverywhere();
    expect(published).toEqual([[X]]);
    expect(shared).toBe(1);
  });
});
