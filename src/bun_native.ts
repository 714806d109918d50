/**
 * The few native APIs of Bun this program uses when it runs in Bun (the compiled binary), each
 * where the portable `node:` module costs milliseconds in Bun: `node:crypto` takes ≈ 4–5 ms to
 * load (its `Hash` is a stream), and `node:child_process` ≈ 3 ms to load plus ≈ 3 ms per piped
 * descriptor to spawn (a Node stream each), against ≈ 0.3 ms for `Bun.spawn`. Undefined in any
 * other runtime (`deno run`, `deno test`, `deno compile`), where the callers use the `node:`
 * module: the same source runs everywhere, and the binary suite runs these paths.
 * @module
 */

/** Bun's native SHA-256 (and other digests), as far as src/sha256.ts uses it. */
export interface BunCryptoHasher {
  update(data: string | Uint8Array): unknown;
  digest(encoding?: "hex"): string | Uint8Array;
}

/** What `Bun.spawn` returns, as far as src/nix/child.ts uses it. */
export interface BunSubprocess {
  readonly pid: number;
  readonly stdin: { end(): unknown } | null | undefined;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  readonly exitCode: number | null;
  readonly signalCode: string | null;
}

/** The options of `Bun.spawn` src/nix/child.ts passes. */
export interface BunSpawnOptions {
  cwd?: string;
  env: Record<string, string>;
  detached: boolean;
  stdin: "pipe" | "ignore";
  stdout: "pipe";
  stderr: "pipe";
}

/** The Bun APIs used, when running in Bun. */
export interface BunNative {
  CryptoHasher: new (algorithm: string) => BunCryptoHasher;
  spawn(cmd: string[], options: BunSpawnOptions): BunSubprocess;
}

/** Bun's native APIs, or undefined when this is not Bun. */
export const bunNative: BunNative | undefined = (() => {
  const bun = (globalThis as { Bun?: Partial<BunNative> }).Bun;
  return typeof bun?.CryptoHasher === "function" && typeof bun.spawn === "function"
    ? bun as BunNative
    : undefined;
})();
