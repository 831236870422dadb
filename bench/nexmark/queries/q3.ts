// Nexmark q3, local item suggestion: an unbounded join of category-10 auctions with the local
// persons who sell them, keyed by person id; both sides are kept (either may arrive first).
import {
  type Auction,
  type Collector,
  type DataStream,
  KeyedCoProcessFunction,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type Person,
  type ProcessContext,
} from '../../../src/index.ts';
import type { Q3Row } from '../reference-queries.ts';
import { auctionsOf, personsOf } from './nexmark-streams.ts';

type Seller = Pick<Person, 'name' | 'city' | 'state'>;

/** Joins each side with what is stored of the other, then stores it (an inner join, both ways). */
class LocalItemJoin extends KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  #auctions!: ListState<number>;
  #sellers!: ListState<Seller>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.#auctions = ctx.getListState(new ListStateDescriptor<number>('auction-ids'));
    this.#sellers = ctx.getListState(new ListStateDescriptor<Seller>('sellers'));
  }

  processElement1(auction: Auction, _ctx: ProcessContext<number>, out: Collector<Q3Row>): void {
    for (const p of this.#sellers.get())
      out.collect({ name: p.name, city: p.city, state: p.state, id: auction.id });
    this.#auctions.add(auction.id);
  }

  processElement2(person: Person, _ctx: ProcessContext<number>, out: Collector<Q3Row>): void {
    for (const id of this.#auctions.get())
      out.collect({ name: person.name, city: person.city, state: person.state, id });
    this.#sellers.add({ name: person.name, city: person.city, state: person.state });
  }
}

/**
 * ```sql
 * SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P on A.seller = P.id
 * WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
 * ```
 *
 * @example
 * q3(events).print();
 */
export function q3(events: DataStream<NexmarkEvent>): DataStream<Q3Row> {
  const auctions = auctionsOf(events)
    .filter((a) => a.category === 10)
    .name('q3: category 10');
  const persons = personsOf(events)
    .filter((p) => p.state === 'OR' || p.state === 'ID' || p.state === 'CA')
    .name('q3: local persons');
  return auctions
    .keyBy((a) => a.seller)
    .connect(persons.keyBy((p) => p.id))
    .process(new LocalItemJoin())
    .name('q3: join');
}
