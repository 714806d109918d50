/**
 * `insomnia-pod new`: the interactive New Pod dialog (docs/new-pod-dialog.md).
 *
 * Discovers the profiles, builds the choices (`choices.ts`), previews the selected one in the
 * background (`preview.ts`, the same `resolveProfile` pipeline as the CLI), and on Enter creates
 * the Pod with `createFromSource` — the root command's own create path. Esc or Ctrl-C cancels
 * (exit 130, nothing written). Without a terminal it is a usage error pointing at the flags.
 * @module
 */
import process from "node:process";
import { InsomniaError, toInsomniaError } from "../errors.ts";
import { resolveCascade } from "../manifest/cascade.ts";
import {
  listEntries,
  type Registry,
  type RegistryEntry,
  selectEntry,
} from "../profile/registry.ts";
import { loadProfileRegistry, resolveProfile } from "../profile/resolve_profile.ts";
import { parseSelector, REGISTRY_SOURCES } from "../profile/selector.ts";
import type { RootOptions } from "../cli/program.ts";
import { createFromSource } from "../cli/commands/launch.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "../app/options.ts";
import { planPodName } from "../store/pod_store.ts";
import type { CliContext, CommandOutput } from "../cli/context.ts";
import {
  buildChoices,
  type Choice,
  type ChoiceEntry,
  defaultPodName,
  planFor,
  planOptions,
  preselect,
} from "./choices.ts";
import { type Evaluator, PreviewCache } from "./preview.ts";
import type { CreateOutcome } from "./dialog.ts";

/** The usage error for a non-terminal stdin. */
export function notATerminal(): InsomniaError {
  return new InsomniaError(
    "usage",
    "`insomnia-pod new` is an interactive dialog and needs a terminal (stdin and stderr). " +
      "To create a Pod without it, run `insomnia-pod --profile SEL --profile-pod-name NAME` " +
      "(`insomnia-pod profiles list` shows the profiles).",
  );
}

function toChoiceEntry(e: RegistryEntry): ChoiceEntry {
  return {
    qualified: e.qualified,
    source: e.source,
    name: e.name,
    isDefault: e.isDefault,
    ...(e.description !== undefined && { description: e.description }),
  };
}

interface Discovery {
  registry?: Registry;
  entries: ChoiceEntry[];
  problem?: string;
}

/** Discovers profiles; a broken registry keeps the healthy sources and explains the rest. */
function discover(ctx: CliContext): Discovery {
  let registry: Registry;
  try {
    registry = loadProfileRegistry(ctx.env, ctx.cwd);
  } catch (error) {
    return { entries: [], problem: toInsomniaError(error).message };
  }
  try {
    return { registry, entries: listEntries(registry).map(toChoiceEntry) };
  } catch (error) {
    const entries = REGISTRY_SOURCES.flatMap((source) => {
      const state = registry.sources[source];
      if (state.error) return [];
      return [...state.entries.values()].map((d): ChoiceEntry => ({
        qualified: `${source}:${d.name}`,
        source,
        name: d.name,
        isDefault: false,
        ...(d.description !== undefined && { description: d.description }),
      }));
    });
    return { registry, entries, problem: toInsomniaError(error).message };
  }
}

function isPromptExit(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "ExitPromptError" || name === "AbortPromptError" ||
    name === "CancelPromptError";
}

/** Entry of `insomnia-pod new`. */
export async function newPodCommand(
  raw: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const opts = raw as RootOptions;
  if (!ctx.interactive) throw notATerminal();
  // Flag problems are usage errors before the terminal is touched.
  const timeoutMs = evalTimeout(opts, ctx.env);
  const store = storeOptions(opts, ctx);
  const workspace = checkedWorkspace(opts.workspace, ctx);
  // Offer a free name: the folder's name, or the next `-2`, `-3`… when a Pod already has it.
  const initialName = planPodName(store, defaultPodName(workspace), false);

  const found = discover(ctx);
  const base = buildChoices(found.entries);
  const picked = preselect(base, opts.profile, (selector) => {
    if (!found.registry) return undefined;
    try {
      return selectEntry(found.registry, parseSelector(selector)).qualified;
    } catch {
      return undefined;
    }
  });
  const choices = picked.choices;
  const byKey = new Map(choices.map((c) => [c.key, c]));
  const initialMessage = [found.problem, picked.message].filter(Boolean).join(" ") || undefined;

  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, ctx.signal]);
  const evaluate: Evaluator = async (key, evalSignal) => {
    const choice = byKey.get(key);
    if (!choice) throw new InsomniaError("internal", `unknown choice ${key}`);
    if (choice.kind === "cascade") {
      const result = resolveCascade({
        env: ctx.env,
        cwd: ctx.cwd,
        workspace,
        podName: initialName,
      });
      return { manifest: result.manifest, warnings: result.warnings, workspace };
    }
    const selector = choice.kind === "profile" ? choice.entry.qualified : choice.selector;
    const result = await resolveProfile(selector, {
      env: ctx.env,
      cwd: ctx.cwd,
      workspace,
      podName: initialName,
      timeoutMs,
      signal: evalSignal,
      ...(found.registry && { registry: found.registry }),
    });
    return { manifest: result.manifest, warnings: result.warnings, workspace };
  };
  const previews = new PreviewCache(evaluate, signal);

  const notes: string[] = [];
  const createCtx: CliContext = { ...ctx, note: (line) => notes.push(line), signal };
  let inFlight: Promise<CreateOutcome<CommandOutput>> | undefined;
  const create = (choice: Choice, name: string): Promise<CreateOutcome<CommandOutput>> => {
    inFlight = (async (): Promise<CreateOutcome<CommandOutput>> => {
      try {
        const options: RootOptions = {
          ...planOptions(planFor(choice, name)),
          store: opts.store,
          workspace: opts.workspace,
          evalTimeout: opts.evalTimeout,
        };
        return { ok: true, value: await createFromSource(options, createCtx) };
      } catch (error) {
        const failure = toInsomniaError(error);
        return { ok: false, code: failure.code, message: failure.message };
      }
    })();
    return inFlight;
  };

  const { colorsEnabled, createDialog } = await import("./dialog.ts");
  const dialog = createDialog<CommandOutput>();
  const replayNotes = () => {
    for (const line of notes) if (!line.startsWith("evaluating profile")) ctx.note(line);
  };
  try {
    const result = await dialog({
      choices,
      initialIndex: picked.index,
      initialName,
      initialMessage,
      workspace,
      previews,
      create,
      colors: colorsEnabled(ctx.env),
    }, {
      input: process.stdin,
      output: process.stderr,
      clearPromptOnDone: true,
      signal: ctx.signal,
    });
    if (result.kind === "cancelled") {
      throw new InsomniaError("cancelled", "cancelled; nothing was written.");
    }
    replayNotes();
    return result.value;
  } catch (error) {
    if (!isPromptExit(error)) throw error;
    controller.abort();
    // Ctrl-C while a create was running: report what actually happened.
    const outcome = inFlight ? await inFlight : undefined;
    if (outcome?.ok) {
      replayNotes();
      ctx.note("cancelled too late: the Pod had already been written.");
      return outcome.value;
    }
    throw new InsomniaError("cancelled", "cancelled; nothing was written.");
  } finally {
    controller.abort();
  }
}
