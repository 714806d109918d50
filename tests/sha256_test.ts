/**
 * src/sha256.ts against the published SHA-256 test vectors (FIPS 180-2 appendix B), in one piece
 * and incrementally, for text (hashed as UTF-8) and bytes alike.
 */
import assert from "node:assert/strict";
import { createSha256, sha256Bytes, sha256Hex } from "../src/sha256.ts";

const VECTORS: [string, string][] = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  [
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  ],
];

Deno.test("sha256Hex: the FIPS 180-2 vectors, as text and as bytes", () => {
  for (const [input, digest] of VECTORS) {
    assert.equal(sha256Hex(input), digest, JSON.stringify(input));
    assert.equal(sha256Hex(new TextEncoder().encode(input)), digest, `bytes of ${input}`);
  }
  assert.equal(
    sha256Hex("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("text is hashed as its UTF-8 bytes", () => {
  const text = "données €😀";
  assert.equal(sha256Hex(text), sha256Hex(new TextEncoder().encode(text)));
  // printf 'données €😀' | sha256sum
  assert.equal(sha256Hex(text), "2ccc504d1b0911e43a92ecdc87b945860c09442c74410e380ff91f91362dc10d");
});

Deno.test("an incremental hash equals the hash of the whole; bytes() is the hex digest's bytes", () => {
  const whole = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const hasher = createSha256();
  for (let i = 0; i < whole.length; i += 7) hasher.update(whole.slice(i, i + 7));
  assert.equal(hasher.hex(), VECTORS[2][1]);
  const bytes = sha256Bytes("abc");
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(bytes.length, 32);
  assert.equal(Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""), VECTORS[1][1]);
});
