import { describe, expect, it } from 'vitest';
import { RunModel } from '../../src/services/run-model.js';

const rowOf = (model: RunModel, ticker: string) =>
  model.snapshot().rows.find((row) => row.ticker === ticker);

describe('the Run screen model', () => {
  it('shows a failed ticker as failed the moment it gives up, with why and how long', () => {
    const model = new RunModel(() => 0);
    model.begin('2024-10-25');
    model.apply({ type: 'planned', ticker: 'NOSUCH', action: 'download' });
    model.apply({ type: 'started', ticker: 'NOSUCH', attempt: 1 });

    model.apply({
      type: 'failed',
      ticker: 'NOSUCH',
      kind: 'no-data',
      reason: 'no data (symbol may be delisted or wrong)',
      durationMs: 340,
      attempts: 1,
    });

    expect(rowOf(model, 'NOSUCH')).toMatchObject({
      status: 'failed',
      reason: 'no data (symbol may be delisted or wrong)',
      durationMs: 340,
    });
    expect(model.snapshot()).toMatchObject({ finished: 1, failed: 1 });
  });

  it('marks what was under way as cancelled when the run is, and the rest not started', () => {
    const model = new RunModel(() => 0);
    model.begin('2024-10-25');
    for (const ticker of ['BARC', 'VOD', 'LLOY']) {
      model.apply({ type: 'planned', ticker, action: 'download' });
    }
    model.apply({ type: 'started', ticker: 'BARC', attempt: 1 });
    model.apply({ type: 'started', ticker: 'VOD', attempt: 1 });
    model.apply({ type: 'done', ticker: 'VOD', bars: 510, bytes: 100, durationMs: 5, attempts: 1 });

    model.stop('cancelled');

    expect(model.snapshot().rows.map((row) => [row.ticker, row.status])).toEqual([
      ['BARC', 'cancelled'],
      ['VOD', 'cancelled'],
      ['LLOY', 'not started'],
    ]);
    expect(rowOf(model, 'BARC')?.reason).toBe(
      'stopped before it finished (downloading); the next run takes it up',
    );
    expect(rowOf(model, 'LLOY')?.reason).toBe(
      'the run stopped before it started; the next run takes it up',
    );
    expect(model.snapshot().finished).toBe(0);
  });
});
