/**
 * Routes `secrets set|list|rm` to their handlers.
 * @module
 */
import { InsomniaError } from "../../errors.ts";
import type { CommandHandler } from "../context.ts";
import { secretsList, secretsRm, secretsSet } from "./secrets.ts";

/** The handler for `secrets <sub>`. */
export function secretsCommand(sub: string): CommandHandler {
  switch (sub) {
    case "set":
      return (_o, args, ctx) => secretsSet(args[0], ctx);
    case "list":
      return (_o, _a, ctx) => secretsList(ctx);
    case "rm":
      return (_o, args, ctx) => secretsRm(args[0], ctx);
  }
  throw new InsomniaError("internal", `unknown secrets command ${sub}`);
}
