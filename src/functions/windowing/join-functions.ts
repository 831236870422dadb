// The functions of two-stream joins: window joins (JoinFunction, FlatJoinFunction), window
// co-groups (CoGroupFunction) and interval joins (ProcessJoinFunction).
import { AbstractRichFunction, type RichFunction } from '../functions.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from '../runtime-context.ts';

/**
 * Combines a pair of joined elements into one result: a function or an object with `join(a, b)`.
 *
 * @example
 * const fn: JoinFunction<Order, Payment, string> = (order, payment) => `${order.id} paid ${payment.amount}`;
 */
export type JoinFunction<IN1, IN2, OUT> =
  | ((first: IN1, second: IN2) => OUT)
  | (RichFunction & { join(first: IN1, second: IN2): OUT });

/**
 * Emits any number of results for a pair of joined elements: an object whose `join` takes a third
 * parameter, the collector.
 *
 * @example
 * const fn: FlatJoinFunction<Order, Payment, string> = {
 *   join(order, payment, out) { if (payment.amount >= order.total) out.collect(order.id); },
 * };
 */
export interface FlatJoinFunction<IN1, IN2, OUT> extends RichFunction {
  join(first: IN1, second: IN2, out: Collector<OUT>): void;
}

/**
 * Receives all elements of both inputs that share a key and a window (either side may be empty).
 *
 * @example
 * const fn: CoGroupFunction<Order, Payment, string> = (orders, payments, out) => {
 *   if (payments.length === 0) for (const o of orders) out.collect(`unpaid ${o.id}`);
 * };
 */
export type CoGroupFunction<IN1, IN2, OUT> =
  | ((first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>) => void)
  | (RichFunction & { coGroup(first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>): void });

/**
 * The context of a ProcessJoinFunction call.
 *
 * @example
 * processElement(l: Order, r: Payment, ctx: ProcessJoinContext, out: Collector<number>) { out.collect(ctx.getRightTimestamp() - ctx.getLeftTimestamp()); }
 */
export interface ProcessJoinContext {
  /** Timestamp of the left element. */
  getLeftTimestamp(): number;
  /** Timestamp of the right element. */
  getRightTimestamp(): number;
  /** Timestamp of the result: the larger of the two. */
  getTimestamp(): number;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Processes each pair of an interval join (Flink's ProcessJoinFunction). Extend the class or pass
 * an object with `processElement`.
 *
 * @example
 * class ClickThrough extends ProcessJoinFunction<Impression, Click, string> {
 *   processElement(imp: Impression, click: Click, ctx: ProcessJoinContext, out: Collector<string>) {
 *     out.collect(`${imp.ad} clicked ${ctx.getRightTimestamp() - ctx.getLeftTimestamp()} ms after its impression`);
 *   }
 * }
 */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

/**
 * A ProcessJoinFunction class instance or a plain object with `processElement`.
 *
 * @example
 * const fn: ProcessJoinFunctionLike<Order, Payment, string> = { processElement: (o, p, _c, out) => out.collect(o.id) };
 */
export type ProcessJoinFunctionLike<IN1, IN2, OUT> =
  | ProcessJoinFunction<IN1, IN2, OUT>
  | (RichFunction & {
      processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
    });
