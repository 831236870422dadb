// Nexmark q8, monitor new users: persons who registered and opened an auction in the same
// tumbling 10 s window (a windowed join keyed by person id).
import {
  type Auction,
  type Collector,
  type DataStream,
  KeyedCoProcessFunction,
  type MapState,
  MapStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type Person,
  type ProcessContext,
} from '../../../src/index.ts';
import type { Q8Row } from '../reference-queries.ts';
import { auctionsOf, personsOf, WINDOW_MS, windowStart } from './nexmark-streams.ts';

/**
 * Per person id and window: the distinct names registered and whether an auction was opened;
 * at the window's end, one row per name if both happened.
 */
class NewUsersJoin extends KeyedCoProcessFunction<number, Person, Auction, Q8Row> {
  #names!: MapState<number, string[]>;
  #sold!: MapState<number, boolean>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.#names = ctx.getMapState(new MapStateDescriptor<number, string[]>('names'));
    this.#sold = ctx.getMapState(new MapStateDescriptor<number, boolean>('sold'));
  }

  #touch(start: number, ctx: ProcessContext<number>): void {
    if (!this.#names.contains(start) && !this.#sold.contains(start)) {
      ctx.timerService().registerEventTimeTimer(start + WINDOW_MS - 1);
    }
  }

  processElement1(person: Person, ctx: ProcessContext<number>): void {
    const start = windowStart(person.dateTime, WINDOW_MS);
    this.#touch(start, ctx);
    const names = this.#names.get(start);
    if (names === undefined) this.#names.put(start, [person.name]);
    else if (!names.includes(person.name)) {
      names.push(person.name);
      this.#names.put(start, names);
    }
  }

  processElement2(auction: Auction, ctx: ProcessContext<number>): void {
    const start = windowStart(auction.dateTime, WINDOW_MS);
    this.#touch(start, ctx);
    this.#sold.put(start, true);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Q8Row>): void {
    const start = timestamp + 1 - WINDOW_MS;
    const names = this.#names.get(start);
    if (names !== undefined && this.#sold.contains(start)) {
      for (const name of names) out.collect({ id: ctx.getCurrentKey(), name, starttime: start });
    }
    this.#names.remove(start);
    this.#sold.remove(start);
  }
}

/**
 * ```sql
 * SELECT P.id, P.name, P.starttime FROM (
 *   SELECT id, name, window_start AS starttime, window_end AS endtime
 *   FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
 *   GROUP BY id, name, window_start, window_end) P
 * JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
 *   FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
 *   GROUP BY seller, window_start, window_end) A
 * ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
 * ```
 *
 * @example
 * q8(events).print();
 */
export function q8(events: DataStream<NexmarkEvent>): DataStream<Q8Row> {
  return personsOf(events)
    .keyBy((p) => p.id)
    .connect(auctionsOf(events).keyBy((a) => a.seller))
    .process(new NewUsersJoin())
    .name('q8: new users');
}
