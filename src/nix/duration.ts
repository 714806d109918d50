/**
 * Durations for command-line flags and environment variables such as `--eval-timeout 2m`.
 * @module
 */
import { InsomniaError } from "../errors.ts";

/** Default limit for one `nix eval` run: 30 seconds. */
export const DEFAULT_EVAL_TIMEOUT_MS = 30_000;

/** Largest accepted duration (24 h); timers silently misbehave above 2^31 - 1 ms. */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;

/**
 * Parses `500ms`, `2s`, `1.5s`, `1m`, `1h` or a bare number of seconds (`30`, `0.5`) into
 * milliseconds. `origin` names where the text came from (`--eval-timeout`, `INSOMNIA_EVAL_TIMEOUT`)
 * so the usage error can point at it.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.log(parseDuration("1.5m", "--eval-timeout")); // 90000
 * ```
 */
export function parseDuration(text: string, origin: string): number {
  const trimmed = text.trim().toLowerCase();
  const match = DURATION.exec(trimmed);
  if (match) {
    const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "s"]);
    if (ms >= 1 && ms <= MAX_DURATION_MS) return ms;
  }
  throw new InsomniaError(
    "usage",
    `invalid duration ${JSON.stringify(text)} for ${origin}: use a positive number with a unit ` +
      `(500ms, 2s, 1.5s, 1m, 1h) or a bare number of seconds such as 30; the limit must be at ` +
      `least 1ms and at most 24h.`,
    { origin, value: text },
  );
}

/** Formats milliseconds the way {@link parseDuration} accepts them: `1h`, `2m`, `30s`, `1.5s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
