/**
 * A tiny stderr spinner for slow work (a Nix evaluation). It appears only on a terminal, never with
 * `--quiet` or `--json`, and only once the work has taken longer than {@link PROGRESS_DELAY_MS};
 * the line is cleared when the work settles. Anywhere else it prints nothing at all.
 * @module
 */
import process from "node:process";
import { isTerminal } from "./terminal.ts";
import { envValue } from "../env.ts";
import type { CliContext } from "./context.ts";
import { oneLine } from "../terminal_text.ts";
import { streamOutput } from "./output.ts";

/** Work shorter than this never shows a spinner. */
const PROGRESS_DELAY_MS = 300;
const FRAME_MS = 80;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Where the spinner is drawn: `process.stderr` by default (tests pass their own). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Test seams of {@link withProgress}. */
export interface ProgressOptions {
  /** Default: `process.stderr`. */
  stream?: ProgressStream;
  /** Default: {@link PROGRESS_DELAY_MS}. */
  delayMs?: number;
  /** Default: 80 ms between frames. */
  frameMs?: number;
}

/** True when a spinner may be drawn on `stream` for this invocation. */
export function progressEnabled(
  ctx: Pick<CliContext, "env" | "json" | "quiet">,
  stream?: ProgressStream,
): boolean {
  // isTerminal(2), not process.stderr.isTTY: a run that prints nothing there never makes the
  // stream.
  const tty = stream === undefined ? isTerminal(2) : Boolean(stream.isTTY);
  return tty && !ctx.quiet && !ctx.json && envValue(ctx.env, "TERM") !== "dumb";
}

/**
 * Awaits `work`; on a terminal, shows `⠋ label` on stderr while it takes longer than 300 ms and
 * erases it afterwards. Resolves or rejects exactly like `work`.
 */
export async function withProgress<T>(
  label: string,
  ctx: Pick<CliContext, "env" | "json" | "quiet">,
  work: Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  if (!progressEnabled(ctx, options.stream)) return await work;
  const stream = options.stream ?? process.stderr;
  if (options.stream === undefined) streamOutput(); // keeps the output in order with its frames
  const color = envValue(ctx.env, "NO_COLOR") === undefined;
  const width = Math.max(10, (stream.columns || 80) - 1);
  const text = oneLine(label.replace(/[\r\n\t]+/g, " "));
  let frame = 0;
  let drawn = 0;
  const draw = () => {
    const glyph = FRAMES[frame++ % FRAMES.length];
    const line = `${glyph} ${text}`.slice(0, width);
    const shown = color ? `\x1b[36m${glyph}\x1b[0m${line.slice(glyph.length)}` : line;
    stream.write(`\r${shown}${" ".repeat(Math.max(0, drawn - line.length))}`);
    drawn = line.length;
  };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const starter = setTimeout(() => {
    draw();
    ticker = setInterval(draw, options.frameMs ?? FRAME_MS);
  }, options.delayMs ?? PROGRESS_DELAY_MS);
  try {
    return await work;
  } finally {
    clearTimeout(starter);
    if (ticker !== undefined) clearInterval(ticker);
    if (drawn > 0) stream.write(`\r${" ".repeat(drawn)}\r`);
  }
}
