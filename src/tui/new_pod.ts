/**
 * The New Pod dialog's flow (docs/new-pod-dialog.md): discovers the profiles, builds the choices
 * (`choices.ts`), previews the selected one in the background (`preview.ts`, the same resolution
 * as a create), and on Enter creates the Pod through the create use case — with exactly the
 * options the root command would get for it. Esc or Ctrl-C cancels (`cancelled`, nothing
 * written). Returns what was created; `insomnia-pod new` (src/cli/commands/new_pod.ts) prints it.
 * @module
 */
import process from "node:process";
import { create, type CreatePlan, resolveSource } from "../app/create.ts";
import type { LaunchOptions } from "../app/launch_flags.ts";
import type { LaunchedPod } from "../app/launched.ts";
import { launchRequest } from "../app/launch_request.ts";
import type { Env } from "../env.ts";
import { InsomniaError, toInsomniaError } from "../errors.ts";
import { loadProfileRegistry } from "../profile/discovery.ts";
import {
  listEntries,
  type Registry,
  type RegistryEntry,
  selectEntry,
} from "../profile/registry.ts";
import { parseSelector, REGISTRY_SOURCES } from "../profile/selector.ts";
import { registryProjectTrust, trustProject } from "../profile/project_trust.ts";
import { trustAllRequested } from "../trust/gate.ts";
import { planPodName, type StoreOptions } from "../store/pod_store.ts";
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

/** What the dialog works with. */
export interface NewPodInputs {
  /** Environment. */
  env: Env;
  /** Working directory. */
  cwd: string;
  /** Ctrl-C outside the dialog (the process's). */
  signal: AbortSignal;
  /** The Pod store (to propose a free name). */
  store: StoreOptions;
  /** The launch workspace, checked. */
  workspace: string;
  /** The evaluation limit of the previews. */
  timeoutMs: number;
  /** The options given to `new` that a create takes as they are. */
  options: Pick<LaunchOptions, "store" | "workspace" | "evalTimeout" | "trust">;
  /** `--profile SEL`: the choice to start on. */
  profile?: string;
}

/** A Pod the dialog created. */
export interface NewPodResult {
  /** The create as planned (its source, warnings). */
  plan: CreatePlan;
  /** The Pod as stored. */
  pod: LaunchedPod;
  /** Warnings of the resolution, to show once the dialog is gone. */
  warnings: string[];
  /** Ctrl-C came while the create was running, too late to stop the write. */
  cancelledTooLate: boolean;
}

function toChoiceEntry(e: RegistryEntry, untrusted: boolean): ChoiceEntry {
  return {
    qualified: e.qualified,
    source: e.source,
    name: e.name,
    isDefault: e.isDefault,
    ...(untrusted && e.source === "project" && { untrusted: true }),
    ...(e.description !== undefined && { description: e.description }),
  };
}

interface Discovery {
  registry?: Registry;
  entries: ChoiceEntry[];
  problem?: string;
}

/** Discovers profiles; a broken registry keeps the healthy sources and explains the rest. */
function discover(env: Env, cwd: string, trustAll: boolean): Discovery {
  let registry: Registry;
  let untrusted: boolean;
  try {
    registry = loadProfileRegistry(env, cwd);
    const trust = registryProjectTrust(registry, env);
    untrusted = trust !== undefined && trust.state !== "trusted" &&
      !trustAllRequested(trustAll, env);
  } catch (error) {
    return { entries: [], problem: toInsomniaError(error).message };
  }
  try {
    return { registry, entries: listEntries(registry).map((e) => toChoiceEntry(e, untrusted)) };
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
        ...(untrusted && source === "project" && { untrusted: true }),
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

type Created = Omit<NewPodResult, "cancelledTooLate">;

/** Runs the dialog on the terminal (stdin, stderr) until a Pod is created or it is cancelled. */
export async function newPodDialog(inputs: NewPodInputs): Promise<NewPodResult> {
  const { env, cwd, workspace } = inputs;
  // Offer a free name: the folder's name, or the next `-2`, `-3`… when a Pod already has it.
  const initialName = planPodName(inputs.store, defaultPodName(workspace), false);

  const found = discover(env, cwd, inputs.options.trust === true);
  const base = buildChoices(found.entries);
  const picked = preselect(base, inputs.profile, (selector) => {
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
  const signal = AbortSignal.any([controller.signal, inputs.signal]);
  const evaluate: Evaluator = async (key, evalSignal) => {
    const choice = byKey.get(key);
    if (!choice) throw new InsomniaError("internal", `unknown choice ${key}`);
    const source = choice.kind === "cascade" ? { kind: "cascade" as const } : {
      kind: "profile" as const,
      selector: choice.kind === "profile" ? choice.entry.qualified : choice.selector,
    };
    const result = await resolveSource(source, {
      env,
      cwd,
      workspace,
      podName: initialName,
      timeoutMs: inputs.timeoutMs,
      signal: evalSignal,
      trustAll: inputs.options.trust,
      ...(found.registry && { registry: found.registry }),
    });
    return { manifest: result.manifest, warnings: result.warnings, workspace };
  };
  const previews = new PreviewCache(evaluate, signal);

  const warnings: string[] = [];
  let inFlight: Promise<CreateOutcome<Created>> | undefined;
  const createPod = (choice: Choice, name: string): Promise<CreateOutcome<Created>> => {
    inFlight = (async (): Promise<CreateOutcome<Created>> => {
      try {
        const options = { ...planOptions(planFor(choice, name)), ...inputs.options };
        const plan = await create({
          ...launchRequest(options),
          env,
          cwd,
          signal,
          onWarning: (warning) => warnings.push(warning),
        });
        return { ok: true, value: { plan, pod: await plan.applyWhenFree(signal), warnings } };
      } catch (error) {
        const failure = toInsomniaError(error);
        return { ok: false, code: failure.code, message: failure.message };
      }
    })();
    return inFlight;
  };

  const { colorsEnabled, createDialog } = await import("./dialog.ts");
  const dialog = createDialog<Created>();
  try {
    const result = await dialog({
      choices,
      initialIndex: picked.index,
      initialName,
      initialMessage,
      workspace,
      previews,
      create: createPod,
      trust: (_choice) => {
        try {
          return Promise.resolve({ ok: true, value: trustProject(cwd, env).root });
        } catch (error) {
          const failure = toInsomniaError(error);
          return Promise.resolve({ ok: false, code: failure.code, message: failure.message });
        }
      },
      colors: colorsEnabled(env),
    }, {
      input: process.stdin,
      output: process.stderr,
      clearPromptOnDone: true,
      signal: inputs.signal,
    });
    if (result.kind === "cancelled") {
      throw new InsomniaError("cancelled", "cancelled; nothing was written.");
    }
    return { ...result.value, cancelledTooLate: false };
  } catch (error) {
    if (!isPromptExit(error)) throw error;
    controller.abort();
    // Ctrl-C while a create was running: report what actually happened.
    const outcome = inFlight ? await inFlight : undefined;
    if (outcome?.ok) return { ...outcome.value, cancelledTooLate: true };
    throw new InsomniaError("cancelled", "cancelled; nothing was written.");
  } finally {
    controller.abort();
  }
}
