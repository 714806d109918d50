/**
 * `insomnia-pod secrets set|list|rm`: manage the file secret store. Values are read from stdin only,
 * never from argv; outputs name ids, never values.
 * @module
 */
import { InsomniaError } from "../../errors.ts";
import { envValue } from "../../env.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import {
  deleteSecret,
  listSecretIds,
  MAX_SECRET_BYTES,
  secretStorePath,
  setSecret,
} from "../../secrets/file_store.ts";
import { validateSecretRefId } from "../../secrets/refs.ts";
import { isRedactableValue } from "../../secrets/registry.ts";
import { envVarForRef } from "../../secrets/secret_env.ts";

/** Removes one trailing newline (`\n` or `\r\n`) added by `echo` or a heredoc. */
function stripOneNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

/**
 * `secrets set <id>`: stores the value read from stdin (one trailing newline stripped). An
 * interactive stdin is a `usage` error: pipe the value in.
 */
export async function secretsSet(id: string, ctx: CliContext): Promise<CommandOutput> {
  validateSecretRefId(id);
  if (ctx.interactive) {
    throw new InsomniaError(
      "usage",
      `secrets set reads the value from stdin, which is a terminal here; pipe it in, e.g. ` +
        `\`printf %s "$KEY" | insomnia-pod secrets set ${id}\` (never pass a value as an argument).`,
    );
  }
  let input: string;
  try {
    // One trailing newline ("\r\n" at most) is not part of the value.
    input = await ctx.readStdin(MAX_SECRET_BYTES + 2);
  } catch (error) {
    if (error instanceof InsomniaError && error.details.reason === "too_large") {
      throw new InsomniaError(
        "usage",
        `the value on stdin for secret "${id}" is larger than ${MAX_SECRET_BYTES} bytes, the ` +
          "limit for a secret; nothing was stored.",
        { maxBytes: MAX_SECRET_BYTES },
      );
    }
    throw error;
  }
  const value = stripOneNewline(input);
  if (value.length === 0) {
    throw new InsomniaError(
      "usage",
      `no value on stdin for secret "${id}"; pipe it in, e.g. ` +
        `\`printf %s "$KEY" | insomnia-pod secrets set ${id}\`.`,
    );
  }
  setSecret(id, value, { env: ctx.env });
  if (!isRedactableValue(value)) {
    ctx.note(
      `warning: the value of secret ${id} is short or simple (fewer than 8 characters, or fewer ` +
        "than 20 without three of lower case, upper case, digits and symbols), so insomnia-pod " +
        "cannot hide it by matching it in its output. It is stored and used; a real credential " +
        "should be longer.",
    );
  }
  const shadow = envVarForRef(id);
  if (envValue(ctx.env, shadow) !== undefined) {
    ctx.note(
      `note: ${shadow} is set in the environment and takes precedence over the stored value`,
    );
  }
  return {
    json: { secret: { id, stored: true, backend: "file" } },
    human: `stored secret ${id}`,
  };
}

/** `secrets list`: ids in the file store (environment-provided secrets are not listed). */
export function secretsList(ctx: CliContext): Promise<CommandOutput> {
  const ids = listSecretIds({ env: ctx.env });
  const path = secretStorePath({ env: ctx.env }) ?? "<data_dir>/secrets/store.json";
  return Promise.resolve({
    json: { secrets: ids.map((id) => ({ id, backend: "file" })) },
    human: ids.length > 0 ? ids.join("\n") : ctx.quiet ? "" : `no secrets stored in ${path}`,
  });
}

/** `secrets rm <id>`: removes a stored secret; `secret_unresolved` when it is not stored. */
export function secretsRm(id: string, ctx: CliContext): Promise<CommandOutput> {
  deleteSecret(id, { env: ctx.env });
  return Promise.resolve({
    // The shape of `pods rm`: what was done, then the list of what it was done to.
    json: { action: "removed", secrets: [{ id, backend: "file" }] },
    human: `removed secret ${id}`,
  });
}
