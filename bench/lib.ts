/**
 * Timing helpers for `deno task bench`: run a command as a subprocess and time it (wall clock,
 * spawn to exit), interleave several commands A/B/A/B so drift hits all of them alike, take
 * medians, and render Markdown tables.
 * @module
 */

/** One command to time. */
export interface Case {
  /** Short label shown in tables. */
  label: string;
  /** argv: executable first. */
  cmd: string[];
  cwd?: string;
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  /** Runs before every timed run (not timed), e.g. to reset a file. */
  before?: () => void;
  /** Checks a run's outcome; return a problem description or undefined. Called on every run. */
  check?: (run: RunResult) => string | undefined;
  /**
   * Interleaved only with the other cases marked so, after the rest: a heavy command (a
   * `deno run` of ≈ 150 ms) right before a 20 ms one slows that one by milliseconds on 2 CPUs.
   */
  apart?: boolean;
}

/** Outcome of one run. */
export interface RunResult {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Samples of one case. */
export interface Samples {
  label: string;
  ms: number[];
  /** Problems reported by `check` (the first few). */
  problems: string[];
  /** The last run (for showing an error). */
  last?: RunResult;
}

const decoder = new TextDecoder();

/** Runs `c` once and measures spawn → exit (stdout and stderr piped and collected). */
export async function timeOnce(c: Case): Promise<RunResult> {
  const [bin, ...args] = c.cmd;
  const command = new Deno.Command(bin, {
    args,
    cwd: c.cwd,
    env: c.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const started = performance.now();
  const out = await command.output();
  const ms = performance.now() - started;
  return {
    ms,
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/**
 * Runs every case `warmup` times (discarded), then `runs` rounds of one run per case, in a
 * rotating order (A B C, B C A, C A B, …) so no case always follows the same neighbour.
 */
export async function interleave(
  cases: Case[],
  runs: number,
  warmup: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Samples[]> {
  const samples: Samples[] = cases.map((c) => ({ label: c.label, ms: [], problems: [] }));
  const total = (runs + warmup) * cases.length;
  let done = 0;
  // The cases marked `apart` rotate among themselves, after the others (see Case.apart).
  const sets = [
    cases.flatMap((c, i) => c.apart ? [] : [i]),
    cases.flatMap((c, i) => c.apart ? [i] : []),
  ];
  for (const set of sets) {
    for (let round = 0; round < warmup + runs; round++) {
      for (let k = 0; k < set.length; k++) {
        const i = set[(k + round) % set.length];
        const c = cases[i];
        c.before?.();
        const run = await timeOnce(c);
        const problem = c.check ? c.check(run) : run.code === 0 ? undefined : `exit ${run.code}`;
        const s = samples[i];
        s.last = run;
        if (problem && s.problems.length < 3) s.problems.push(problem);
        if (round >= warmup) s.ms.push(run.ms);
        onProgress?.(++done, total);
      }
    }
  }
  return samples;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The `q` quantile (0..1) with linear interpolation. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summary statistics of one sample list. */
export interface Stats {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
}

/** Median, 10th/90th percentile and minimum. */
export function stats(values: number[]): Stats {
  return {
    n: values.length,
    median: median(values),
    p10: quantile(values, 0.1),
    p90: quantile(values, 0.9),
    min: values.length ? Math.min(...values) : NaN,
  };
}

/** `12.3 ms` (or `n/a`). */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

/** `2.41×` (or `n/a`). */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return "n/a";
  }
  return `${(a / b).toFixed(2)}×`;
}

/** A Markdown table; cells are escaped for `|`. */
export function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => esc(c).padEnd(widths[i])).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { slope, intercept: my - slope * mx };
}
