export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Runs `one` n times in sequence and returns its p50 and p95 in milliseconds. */
export async function latencies(n: number, one: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await one(i);
    lat.push(performance.now() - t);
  }
  return { p50: percentile(lat, 50), p95: percentile(lat, 95) };
}

/**
 * Like `latencies` for several operations measured side by side: each round runs every one of them once, in turn.
 * Load from elsewhere on a shared machine then falls on all of them alike, not on whichever ran while it lasted.
 */
export async function latenciesInterleaved<const Ops extends readonly ((i: number) => Promise<unknown>)[]>(
  n: number,
  ops: Ops,
): Promise<{ [K in keyof Ops]: { p50: number; p95: number } }> {
  const lat = ops.map((): number[] => []);
  for (let i = 0; i < n; i++) {
    for (const [k, one] of ops.entries()) {
      const t = performance.now();
      await one(i);
      lat[k]!.push(performance.now() - t);
    }
  }
  return lat.map((l) => ({ p50: percentile(l, 50), p95: percentile(l, 95) })) as { [K in keyof Ops]: { p50: number; p95: number } };
}

export interface Row {
  metric: string;
  ours: number;
  baseline: number;
  unit: string;
}

/** Prints figures next to the same-run baseline, as a ratio: machines are noisy, ratios less so. */
export function printTable(title: string, rows: Row[], note: string): void {
  console.log(`\n== ${title} ==`);
  console.log(`${'metric'.padEnd(28)}${'ours'.padStart(12)}${'baseline'.padStart(12)}${'ratio'.padStart(9)}`);
  for (const r of rows) {
    const fmt = (v: number) => `${v.toFixed(1)} ${r.unit}`;
    console.log(`${r.metric.padEnd(28)}${fmt(r.ours).padStart(12)}${fmt(r.baseline).padStart(12)}${(r.ours / r.baseline).toFixed(2).padStart(8)}x`);
  }
  console.log(note);
}
