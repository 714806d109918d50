/**
 * SHA-256, synchronously, from the runtime's native hasher.
 *
 * In the Bun-compiled binary `node:crypto` costs ≈ 4–5 ms to load (its `Hash` is a stream, so it
 * brings Node's whole stream machinery), more than most commands spend on their work; Bun's own
 * `CryptoHasher` is the same native SHA-256 with no module behind it (src/bun_native.ts). So that
 * one is used where it exists, and `node:crypto` (loaded on first use, never at start) everywhere
 * else (`deno run`, `deno test`, `deno compile`). Both hash the UTF-8 bytes of a string; tests/sha256_test.ts checks
 * the published test vectors and the binary suite checks hashes written by one runtime and read
 * by the other.
 * @module
 */
import process from "node:process";
import { type BunCryptoHasher, bunNative } from "./bun_native.ts";

/** What can be hashed: text (as UTF-8) or bytes. */
export type HashInput = string | Uint8Array;

/** An incremental SHA-256. */
export interface Sha256 {
  /** Adds `data` (a string as its UTF-8 bytes). */
  update(data: HashInput): Sha256;
  /** The digest as lower-case hex; the hasher cannot be used afterwards. */
  hex(): string;
  /** The digest's 32 bytes; the hasher cannot be used afterwards. */
  bytes(): Uint8Array;
}

function nativeHasher(): BunCryptoHasher {
  if (bunNative) return new bunNative.CryptoHasher("sha256");
  const crypto = process.getBuiltinModule("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256");
}

/** A new incremental SHA-256. */
export function createSha256(): Sha256 {
  const native = nativeHasher();
  const hasher: Sha256 = {
    update(data) {
      native.update(data);
      return hasher;
    },
    hex: () => native.digest("hex") as string,
    bytes: () => new Uint8Array(native.digest() as Uint8Array),
  };
  return hasher;
}

/** Lower-case hex SHA-256 of `data` (a string as its UTF-8 bytes). */
export function sha256Hex(data: HashInput): string {
  return createSha256().update(data).hex();
}

/** The 32 bytes of the SHA-256 of `data` (a string as its UTF-8 bytes). */
export function sha256Bytes(data: HashInput): Uint8Array {
  return createSha256().update(data).bytes();
}
