/** The console's run as React state, redrawn at the controller's pace (10 a second at most). */
import { useSyncExternalStore } from 'react';
import type { RunController } from '../../services/run-controller.js';
import type { RunSnapshot, TickerRow } from '../../services/run-model.js';

/** The run's current picture. */
export function useRun(controller: RunController): RunSnapshot {
  return useSyncExternalStore(controller.subscribe, controller.getSnapshot);
}

/** Throughput and time left, from the picture and the clock. */
export function runRates(snapshot: RunSnapshot, now: number) {
  const elapsedMs = (snapshot.endedAt ?? now) - (snapshot.startedAt ?? now);
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  // Tickers an earlier run stored (or gave up on) finish at once: counted in the rate, a
  // resumed run looked many times faster than it was, and its ETA far too short.
  const fetched = snapshot.rows.filter(finishedInThisRun).length;
  const perSecond = fetched / seconds;
  const remaining = snapshot.rows.length - snapshot.finished;

  return {
    elapsedMs,
    tickersPerSecond: perSecond,
    bytesPerSecond: snapshot.bytes / seconds,
    etaMs: perSecond > 0 && remaining > 0 ? (remaining / perSecond) * 1000 : undefined,
  };
}

const outcomes = new Set<TickerRow['status']>(['done', 'empty', 'failed']);

function finishedInThisRun(row: TickerRow): boolean {
  return outcomes.has(row.status) && !row.fromEarlierRun;
}
