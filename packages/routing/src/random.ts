// The seeded random source `decide` draws from, so a run is replayed exactly from its seed or a saved position.

export interface RandomSource {
  /** A number in [0, 1). */
  next(): number;
  /**
   * The generator's position (a uint32): `createRandom(random.state)` draws exactly what `random` would draw next, so
   * the shell saves it with each decision and a new owner of the domain continues the sequence.
   */
  readonly state: number;
}

/** mulberry32: tiny, fast and good enough for picking agents and simulating arrivals. */
export function createRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    get state() {
      return a;
    },
  };
}
