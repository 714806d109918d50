/**
 * "Did you mean …?" suggestions shared by the selector parser and the profile registries.
 * @module
 */
import { distance } from "npm:fastest-levenshtein@1.0.16";

/** Largest edit distance still worth suggesting for an input of this length. */
function suggestionThreshold(length: number): number {
  if (length <= 3) return 1;
  if (length <= 6) return 2;
  return 3;
}

/**
 * Returns up to `limit` candidates closest to `input` (case-insensitive Levenshtein distance),
 * nearest first; ties keep the candidates' order. Candidates beyond the threshold for the input's
 * length are dropped, so the result may be empty.
 */
export function closestMatches(input: string, candidates: Iterable<string>, limit = 1): string[] {
  return rankByDistance(input, candidates, (c) => c, limit);
}

/**
 * Ranks `items` by the distance between `input` and `key(item)` (case-insensitive), keeping only
 * those within the threshold for the input's length; ties keep the items' order.
 */
export function rankByDistance<T>(
  input: string,
  items: Iterable<T>,
  key: (item: T) => string,
  limit: number,
): T[] {
  const needle = input.toLowerCase();
  const max = suggestionThreshold(needle.length);
  const scored: { item: T; score: number; index: number }[] = [];
  let index = 0;
  for (const item of items) {
    const candidate = key(item).toLowerCase();
    if (Math.abs(candidate.length - needle.length) <= max) {
      const score = distance(needle, candidate);
      if (score <= max) scored.push({ item, score, index });
    }
    index++;
  }
  scored.sort((a, b) => a.score - b.score || a.index - b.index);
  return scored.slice(0, limit).map((s) => s.item);
}
