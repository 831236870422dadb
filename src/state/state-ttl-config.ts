// Time-to-live of keyed state, with Flink's builder names.
import { IllegalArgumentError } from '../core/index.ts';

/** When the TTL timestamp of an entry is refreshed. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
/** Whether expired but not yet removed values may be returned. */
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/**
 * TTL settings for a state descriptor (processing time).
 *
 * @example
 * const ttl = StateTtlConfig.newBuilder(60_000).setUpdateType('OnReadAndWrite').build();
 * new ValueStateDescriptor<number>('last').enableTimeToLive(ttl);
 */
export class StateTtlConfig {
  readonly ttl: number;
  readonly updateType: TtlUpdateType;
  readonly stateVisibility: TtlStateVisibility;

  private constructor(ttl: number, updateType: TtlUpdateType, visibility: TtlStateVisibility) {
    this.ttl = ttl;
    this.updateType = updateType;
    this.stateVisibility = visibility;
  }

  /** Starts a builder with the time-to-live in milliseconds. */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new IllegalArgumentError(
        `StateTtlConfig.newBuilder(): ttl must be a positive number of ms, got ${ttlMs}`,
      );
    }
    let updateType: TtlUpdateType = 'OnCreateAndWrite';
    let visibility: TtlStateVisibility = 'NeverReturnExpired';
    const builder: StateTtlConfigBuilder = {
      setUpdateType(t) {
        updateType = t;
        return builder;
      },
      setStateVisibility(v) {
        visibility = v;
        return builder;
      },
      build: () => new StateTtlConfig(ttlMs, updateType, visibility),
    };
    return builder;
  }
}

/** Builder returned by {@link StateTtlConfig.newBuilder}. */
export interface StateTtlConfigBuilder {
  setUpdateType(type: TtlUpdateType): StateTtlConfigBuilder;
  setStateVisibility(visibility: TtlStateVisibility): StateTtlConfigBuilder;
  build(): StateTtlConfig;
}
