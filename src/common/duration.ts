const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "8h" -> 28800. The config class has already checked the shape. */
export function durationSeconds(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new RangeError(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}
