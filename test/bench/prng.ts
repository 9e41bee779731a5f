/**
 * mulberry32: a tiny, fast, well-distributed 32-bit PRNG. The benchmark's city is a pure function
 * of the seed, so two runs of the same N load the same households (and compare).
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uint32. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * A version-7 UUID (RFC 9562: 48 bits of Unix milliseconds, then random bits), as the registry
   * issues for households and persons (src/modules/registry/ids.ts): records registered together
   * get neighbouring keys. The random bits come from the stream, so the city stays deterministic.
   */
  uuidv7(ms: number): string {
    const t = hex12(ms);
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    return (
      `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex8(b).slice(0, 3)}-` +
      HEX[((c >>> 28) & 0x3) | 0x8] +
      hex8(c).slice(1, 4) +
      '-' +
      hex8(c).slice(4) +
      hex8(d)
    );
  }

  /** A version-4-shaped UUID drawn from the stream (deterministic, not cryptographic). */
  uuid(): string {
    const a = this.nextUint32();
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    return (
      hex8(a) +
      '-' +
      hex8(b).slice(0, 4) +
      '-4' +
      hex8(b).slice(5, 8) +
      '-' +
      HEX[((c >>> 28) & 0x3) | 0x8] +
      hex8(c).slice(1, 4) +
      '-' +
      hex8(c).slice(4) +
      hex8(d)
    );
  }
}

const HEX = '0123456789abcdef';
const hex12 = (ms: number) => Math.floor(ms).toString(16).padStart(12, '0');
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return BYTE_HEX[n >>> 24] + BYTE_HEX[(n >>> 16) & 0xff] + BYTE_HEX[(n >>> 8) & 0xff] + BYTE_HEX[n & 0xff];
}
