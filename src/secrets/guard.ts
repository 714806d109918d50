/**
 * The plaintext gate every manifest layer and artifact passes before validation: a literal at a
 * credential position, or a string anywhere that looks like a known credential format, is rejected
 * with `secret_plaintext` naming the field (never the value).
 * @module
 */
import { assertManifestSecretsSafe } from "./plaintext.ts";

/** Throws `secret_plaintext` when `raw` holds a plaintext credential. */
export function guardPlaintext(raw: unknown, origin: string): void {
  assertManifestSecretsSafe(raw, origin);
}
