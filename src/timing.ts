/**
 * Phase timings for "where does the time go?": with `INSOMNIA_POD_TIMINGS=1` the CLI prints, on
 * stderr at exit, the time since process start at each phase mark. Off by default; a mark then
 * costs one comparison. Labels are fixed strings, never data, so nothing secret can reach them.
 * @module
 */
import process from "node:process";

const enabled = process.env.INSOMNIA_POD_TIMINGS === "1";
const marks: Array<[string, number]> = [];

/** Records that the phase `label` ended now (when timings are enabled). */
export function mark(label: string): void {
  if (enabled) marks.push([label, performance.now()]);
}

/** The recorded marks as `timing <ms since start> <label>` lines, or "" when disabled. */
export function renderTimings(): string {
  if (!enabled) return "";
  return marks.map(([label, at]) => `timing ${at.toFixed(1).padStart(7)} ms  ${label}\n`).join("");
}

mark("runtime started, first module evaluated");
