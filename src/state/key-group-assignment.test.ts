// Laws of key-group assignment: the hash is stable, key groups are in range, every key group has
// exactly one owner, and the owner computed for routing is the subtask whose range holds it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignToKeyGroup,
  computeOperatorIndexForKeyGroup,
  hashKey,
  keyGroupRangeForOperator,
  normalizeKey,
} from './key-group-assignment.ts';

const primitiveKey = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.bigInt(),
);
const compositeKey = fc.oneof(
  fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 4 }),
  fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), {
    minKeys: 1,
    maxKeys: 5,
  }),
);
const anyKey = fc.oneof(primitiveKey, compositeKey);
const parallelismSetting = fc.integer({ min: 1, max: 4096 }).chain((maxParallelism) =>
  fc.record({
    maxParallelism: fc.constant(maxParallelism),
    parallelism: fc.integer({ min: 1, max: maxParallelism }),
  }),
);

/** Rebuilds an object with its properties in reverse insertion order. */
function reversed(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).reverse());
}

describe('hashKey', () => {
  it('hashes -0 as 0: they are one key in a Map, so they must share a key group', () => {
    expect(hashKey(-0)).toBe(hashKey(0));
    expect(hashKey([-0, 'a'])).toBe(hashKey([0, 'a']));
    expect(normalizeKey(-0) === normalizeKey(0)).toBe(true);
  });

  it('is deterministic and a 32-bit unsigned integer', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const h = hashKey(key);
        expect(h).toBe(hashKey(structuredClone(key)));
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      }),
    );
  });

  it('keeps pinned values for every kind of key (part of the snapshot format)', () => {
    expect([
      hashKey('user-1'),
      hashKey(7),
      hashKey(-7),
      hashKey(1.5),
      hashKey(2 ** 40),
      hashKey(true),
      hashKey(false),
      hashKey(10n),
      hashKey(['a', 1]),
      hashKey({ b: 2, a: 'x' }),
    ]).toEqual([
      2429978192, 1343918321, 4088382047, 933246083, 2960125921, 58762492, 2267143884, 1809292976, 4180291510,
      1659351789,
    ]);
  });

  it('maps equal composite keys with different property order to the same hash and key group', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer()), { minKeys: 2 }),
        fc.integer({ min: 1, max: 32768 }),
        (obj, maxParallelism) => {
          const other = reversed(obj);
          expect(hashKey(other)).toBe(hashKey(obj));
          expect(assignToKeyGroup(other, maxParallelism)).toBe(assignToKeyGroup(obj, maxParallelism));
          expect(normalizeKey(other)).toBe(normalizeKey(obj));
        },
      ),
    );
    // Nested objects too.
    expect(hashKey({ a: { x: 1, y: 2 }, b: [1] })).toBe(hashKey({ b: [1], a: { y: 2, x: 1 } }));
  });

  it('distinguishes keys of different types that print alike', () => {
    expect(normalizeKey(1)).not.toBe(normalizeKey('1'));
    expect(hashKey(['1'])).not.toBe(hashKey([1]));
  });

  it.each([undefined, null, () => 1, Symbol('s')])('rejects %s as a key, naming it', (bad) => {
    expect(() => hashKey(bad)).toThrow(/cannot be used as a key/);
    expect(() => normalizeKey(bad)).toThrow(/cannot be used as a key/);
  });
});

describe('key groups', () => {
  it('assigns every key to a key group in [0, maxParallelism)', () => {
    fc.assert(
      fc.property(anyKey, fc.integer({ min: 1, max: 32768 }), (key, maxParallelism) => {
        const kg = assignToKeyGroup(key, maxParallelism);
        expect(Number.isInteger(kg) && kg >= 0 && kg < maxParallelism).toBe(true);
      }),
    );
  });

  it('gives each subtask a contiguous range, and the ranges cover every key group exactly once in order', () => {
    fc.assert(
      fc.property(parallelismSetting, ({ maxParallelism, parallelism }) => {
        let next = 0;
        for (let i = 0; i < parallelism; i++) {
          const { start, end } = keyGroupRangeForOperator(maxParallelism, parallelism, i);
          expect(start).toBe(next);
          expect(end).toBeGreaterThanOrEqual(start); // parallelism <= maxParallelism: never empty
          next = end + 1;
        }
        expect(next).toBe(maxParallelism);
      }),
    );
  });

  it('routes a key group to the subtask whose range contains it', () => {
    fc.assert(
      fc.property(
        parallelismSetting.chain((s) =>
          fc.record({
            maxParallelism: fc.constant(s.maxParallelism),
            parallelism: fc.constant(s.parallelism),
            keyGroup: fc.integer({ min: 0, max: s.maxParallelism - 1 }),
          }),
        ),
        ({ maxParallelism, parallelism, keyGroup }) => {
          const index = computeOperatorIndexForKeyGroup(maxParallelism, parallelism, keyGroup);
          expect(index >= 0 && index < parallelism).toBe(true);
          const { start, end } = keyGroupRangeForOperator(maxParallelism, parallelism, index);
          expect(keyGroup >= start && keyGroup <= end).toBe(true);
        },
      ),
    );
  });

  it('routes a key to the same subtask no matter how often it is computed', () => {
    fc.assert(
      fc.property(anyKey, parallelismSetting, (key, { maxParallelism, parallelism }) => {
        const a = computeOperatorIndexForKeyGroup(
          maxParallelism,
          parallelism,
          assignToKeyGroup(key, maxParallelism),
        );
        const b = computeOperatorIndexForKeyGroup(
          maxParallelism,
          parallelism,
          assignToKeyGroup(structuredClone(key), maxParallelism),
        );
        expect(a).toBe(b);
      }),
    );
  });

  it('spreads many keys over every key group', () => {
    const counts = new Array<number>(128).fill(0);
    for (let i = 0; i < 20_000; i++) counts[assignToKeyGroup(`key-${i}`, 128)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(80);
    expect(Math.max(...counts)).toBeLessThan(240);
  });
});
