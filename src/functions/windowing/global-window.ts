// The single window of GlobalWindows (count windows and custom triggers): it never ends.
import { MAX_WATERMARK } from '../../core/index.ts';
import type { Window, WindowSerializer } from './window.ts';

/**
 * The one window that holds every element of a key (Flink's GlobalWindow); its max timestamp is
 * the end of time, so event time never closes it: a trigger must fire it.
 *
 * @example
 * GlobalWindow.get().maxTimestamp() === MAX_WATERMARK; // true
 */
export class GlobalWindow implements Window {
  static readonly #instance = new GlobalWindow();

  private constructor() {}

  /** The global window. */
  static get(): GlobalWindow {
    return GlobalWindow.#instance;
  }

  maxTimestamp(): number {
    return MAX_WATERMARK;
  }

  toString(): string {
    return 'GlobalWindow';
  }

  toJSON(): string {
    return 'GlobalWindow';
  }

  /** The namespace of the global window: `"global"`. */
  static readonly serializer: WindowSerializer<GlobalWindow> = {
    toNamespace: () => 'global',
    fromNamespace: () => GlobalWindow.#instance,
  };
}
