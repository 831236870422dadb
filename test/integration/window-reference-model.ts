// A small reference model of Flink's event-time window operator with the default trigger: windows
// as plain lists, timers as "fire at max timestamp" and "clean up at max timestamp + lateness",
// sessions merged by scanning. Written for obviousness, not speed; the property tests compare the
// engine against it firing by firing.

/** One input element and the watermark its source emits right after it (per-event watermarks). */
export interface ModelEvent {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
  readonly wm: number;
}

export type ModelAssigner =
  | { readonly kind: 'tumbling'; readonly size: number; readonly offset: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'session'; readonly gap: number };

/**
 * A window evaluation: `[watermark before it, key, start, end, sorted values, record timestamp]`.
 * The first field places it in the output: it happened while that was the operator's watermark.
 */
export type Firing = [
  watermark: number,
  key: string,
  start: number,
  end: number,
  values: number[],
  timestamp: number,
];

/** A late element sent to the side output: `[watermark at that time, key, ts, v]`. */
export type LateRecord = [watermark: number, key: string, ts: number, v: number];

export interface ModelResult {
  readonly firings: Firing[];
  readonly late: LateRecord[];
  readonly dropped: number;
}

const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

interface Win {
  start: number;
  end: number;
  values: number[];
  /** A firing timer is registered at end - 1. */
  pending: boolean;
}

function windowStart(ts: number, offset: number, size: number): number {
  const r = (ts - offset) % size;
  return r < 0 ? ts - (r + size) : ts - r;
}

/** Runs the model over the events (then the end-of-input watermark). */
export function runWindowModel(
  events: readonly ModelEvent[],
  assigner: ModelAssigner,
  lateness: number,
  sideOutput: boolean,
): ModelResult {
  const firings: Firing[] = [];
  const late: LateRecord[] = [];
  let dropped = 0;
  let wm = MIN;
  const windows = new Map<string, Win[]>();
  const of = (key: string): Win[] => {
    let ws = windows.get(key);
    if (ws === undefined) {
      ws = [];
      windows.set(key, ws);
    }
    return ws;
  };
  const fire = (key: string, w: Win, watermark: number) =>
    firings.push([watermark, key, w.start, w.end, [...w.values].sort((a, b) => a - b), w.end - 1]);
  const cleanup = (w: { end: number }) => Math.min(w.end - 1 + lateness, MAX);
  const isLate = (w: { end: number }) => cleanup(w) <= wm;

  const element = (e: ModelEvent): void => {
    const ws = of(e.key);
    let skipped = true;
    if (assigner.kind !== 'session') {
      const starts: number[] = [];
      if (assigner.kind === 'tumbling') starts.push(windowStart(e.ts, assigner.offset, assigner.size));
      else {
        for (
          let s = windowStart(e.ts, assigner.offset, assigner.slide);
          s > e.ts - assigner.size;
          s -= assigner.slide
        ) {
          starts.push(s);
        }
      }
      const size = assigner.size;
      for (const start of starts) {
        const end = start + size;
        if (isLate({ end })) continue;
        skipped = false;
        let w = ws.find((x) => x.start === start && x.end === end);
        if (w === undefined) {
          w = { start, end, values: [], pending: false };
          ws.push(w);
        }
        w.values.push(e.v);
        if (end - 1 <= wm) fire(e.key, w, wm);
        else w.pending = true;
      }
    } else {
      const nw = { start: e.ts, end: e.ts + assigner.gap };
      const touching = ws.filter((s) => s.start <= nw.end && s.end >= nw.start);
      if (touching.length === 0 && isLate(nw)) {
        skipped = true;
      } else {
        skipped = false;
        const start = Math.min(nw.start, ...touching.map((s) => s.start));
        const end = Math.max(nw.end, ...touching.map((s) => s.end));
        let target: Win;
        if (touching.length === 1 && touching[0]!.start === start && touching[0]!.end === end) {
          target = touching[0]!; // the new window lies inside an existing session
        } else {
          target = { start, end, values: touching.flatMap((s) => s.values), pending: false };
          for (const s of touching) ws.splice(ws.indexOf(s), 1);
          ws.push(target);
        }
        target.values.push(e.v);
        if (end - 1 <= wm) fire(e.key, target, wm);
        else target.pending = true;
      }
    }
    if (skipped && e.ts + lateness <= wm) {
      if (sideOutput) late.push([wm, e.key, e.ts, e.v]);
      else dropped++;
    }
  };

  const advance = (to: number): void => {
    if (to <= wm) return;
    const before = wm;
    wm = to;
    // Timers in time order; a window's firing comes before its cleanup.
    const timers: Array<[time: number, order: number, key: string, w: Win]> = [];
    for (const [key, ws] of windows) {
      for (const w of ws) {
        if (w.pending && w.end - 1 <= to) timers.push([w.end - 1, 0, key, w]);
        if (cleanup(w) <= to && cleanup(w) < MAX) timers.push([cleanup(w), 1, key, w]);
      }
    }
    timers.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, order, key, w] of timers) {
      if (order === 0) {
        w.pending = false;
        fire(key, w, before);
      } else {
        const ws = of(key);
        ws.splice(ws.indexOf(w), 1);
      }
    }
  };

  for (const e of events) {
    element(e);
    advance(e.wm);
  }
  advance(MAX);
  return { firings, late, dropped };
}
