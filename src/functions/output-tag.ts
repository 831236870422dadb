// Side outputs are named by tags; the id is what crosses the wire.
import { IllegalArgumentError } from '../core/index.ts';

/**
 * Names a side output of an operator.
 *
 * @example
 * const late = new OutputTag<string>('late-data');
 * ctx.output(late, 'x');
 * stream.getSideOutput(late).print();
 */
export class OutputTag<T> {
  readonly id: string;
  declare readonly __type?: T;
  constructor(id: string) {
    if (typeof id !== 'string' || id.length === 0) {
      throw new IllegalArgumentError(`OutputTag: id must be a non-empty string, got ${JSON.stringify(id)}`);
    }
    this.id = id;
  }
}
