/**
 * Phase timings for "where does the time go?": with `INSOMNIA_POD_TIMINGS=1` the CLI prints, on
 * stderr at exit, the time since process start at each phase mark and its peak memory. Off by default; a mark then
 * costs one comparison. Labels are fixed strings, never data, so nothing secret can reach them.
 * @module
 */
import { readBoundedText } from "./fs/read_bounded.ts";
import process from "node:process";

const enabled = process.env.INSOMNIA_POD_TIMINGS === "1";
const marks: Array<[string, number]> = [];

/** Records that the phase `label` ended now (when timings are enabled). */
export function mark(label: string): void {
  if (enabled) marks.push([label, performance.now()]);
}

/**
 * The recorded marks as `timing <ms since start> <label>` lines, then this process's peak
 * resident memory (`memory <MiB> MiB peak RSS`, Linux), or "" when disabled.
 */
export function renderTimings(): string {
  if (!enabled) return "";
  const lines = marks.map(([label, at]) => `timing ${at.toFixed(1).padStart(7)} ms  ${label}\n`);
  const peak = peakRssBytes();
  if (peak !== undefined) {
    lines.push(`memory ${(peak / 2 ** 20).toFixed(1).padStart(7)} MiB peak RSS\n`);
  }
  return lines.join("");
}

/** Peak resident set size of this process (VmHWM of /proc/self/status), where Linux has it. */
function peakRssBytes(): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(
      readBoundedText("/proc/self/status", { code: "internal" }),
    )?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

mark("runtime started, first module evaluated");
