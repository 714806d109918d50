/**
 * `profiles list|show|check|init`: discovery, inspection, CI validation and scaffolding.
 * @module
 */
import { InsomniaError, toInsomniaError } from "../../errors.ts";
import { listEntries, type Registry } from "../../profile/registry.ts";
import { loadProfileRegistry } from "../../profile/discovery.ts";
import { type ProfileResolution, resolveProfile } from "../../profile/resolve_profile.ts";
import { checkSecretRefs } from "../../secrets/resolve_secret.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { withProgress } from "../progress.ts";
import { renderRows, summaryRows } from "../../manifest/summary.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "../../app/options.ts";
import { listPods } from "../../store/stored_pods.ts";
import { describeChanges, profileDriftDetail, provenanceLabel } from "../../profile/provenance.ts";
import type { InputChange } from "../../nix/inputs.ts";
import { oneLine } from "../../terminal_text.ts";

/** What every evaluation of one `profiles show|check` run shares. */
interface ResolveContext {
  workspace: string;
  /** Parsed once, before anything is evaluated: a bad `--eval-timeout` is a usage error. */
  timeoutMs: number;
  /** `--trust`: every project is trusted for this run. */
  trustAll: boolean;
  /** `--no-cache`: evaluate with Nix even when the cache has the result. */
  noCache: boolean;
  registry?: Registry;
}

function resolveContext(opts: Record<string, unknown>, ctx: CliContext): ResolveContext {
  return {
    workspace: checkedWorkspace(opts.workspace as string | undefined, ctx),
    timeoutMs: evalTimeout(opts as { evalTimeout?: string }, ctx.env),
    trustAll: opts.trust === true,
    noCache: opts.cache === false,
  };
}

function resolveFor(
  selector: string,
  rc: ResolveContext,
  ctx: CliContext,
): Promise<ProfileResolution> {
  return resolveProfile(selector, {
    env: ctx.env,
    cwd: ctx.cwd,
    workspace: rc.workspace,
    timeoutMs: rc.timeoutMs,
    trustAll: rc.trustAll,
    noCache: rc.noCache,
    signal: ctx.signal,
    ...(rc.registry && { registry: rc.registry }),
  });
}

/** True for failures that mean "the user interrupted", which must end the command (exit 130). */
function isCancellation(error: InsomniaError, ctx: CliContext): boolean {
  return ctx.signal.aborted || error.code === "cancelled" || error.code === "nix_eval_cancelled";
}

/** `profiles show` handler. */
export async function profilesShow(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const rc = resolveContext(opts, ctx);
  const resolved = await withProgress(
    `evaluating profile ${args[0]}`,
    ctx,
    resolveFor(args[0], rc, ctx),
  );
  for (const note of resolved.notes) ctx.note(`note: ${note}`);
  for (const warning of resolved.warnings) ctx.note(`warning: ${warning}`);
  const p = resolved.provenance;
  const head = [
    `profile ${p.selector}`,
    ...(p.metadata?.description ? [`  ${oneLine(p.metadata.description)}`] : []),
  ].join("\n");
  const rows: Array<[string, string]> = [
    [
      "source",
      p.source.kind === "registry"
        ? `${p.source.source}:${p.source.name} (${p.source.path})`
        : p.source.kind === "flake"
        ? `flake:${p.source.ref}#${p.source.name}`
        : p.source.path,
    ],
    ["pod name", resolved.manifest.pod.name],
    ...summaryRows(resolved.manifest),
  ];
  const human = opts.manifest
    ? JSON.stringify(resolved.manifest, null, 2)
    : `${head}\n${renderRows(rows)}`;
  return {
    json: {
      profile: p,
      summary: Object.fromEntries(groupRows(summaryRows(resolved.manifest))),
      manifest: resolved.manifest,
      warnings: resolved.warnings,
    },
    human,
  };
}

function groupRows(rows: Array<[string, string]>): Array<[string, string | string[]]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of rows) out.set(k, [...(out.get(k) ?? []), v]);
  return [...out.entries()].map(([k, v]) => [k, v.length === 1 ? v[0] : v]);
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  // Wait for every worker (so no evaluation outlives the command), then report the first failure.
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  return results;
}

/** `profiles check` handler. */
export async function profilesCheck(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const rc = resolveContext(opts, ctx);
  if (opts.all && args.length) {
    throw new InsomniaError(
      "usage",
      `profiles check: give selectors (${args.join(" ")}) or --all, not both. ` +
        "Run `insomnia-pod profiles check --help` for usage.",
    );
  }
  // `--frozen` alone is a lockfile check: it reads the store and hashes files, it evaluates nothing.
  const frozen = opts.frozen ? frozenCheck(opts, ctx) : undefined;
  rc.registry = loadProfileRegistry(ctx.env, ctx.cwd);
  const selectors = opts.all
    ? listEntries(rc.registry).map((e) => e.qualified)
    : args.length
    ? args
    : frozen
    ? []
    : ["default"];
  const results = await mapLimit(selectors, 4, async (selector) => {
    if (ctx.signal.aborted) {
      throw new InsomniaError("cancelled", "profiles check was interrupted; nothing was written.");
    }
    try {
      const resolved = await resolveFor(selector, rc, ctx);
      for (const note of resolved.notes) ctx.note(`note: ${selector}: ${note}`);
      // Warnings go to stderr as soon as they are known (also in JSON mode, like every command).
      for (const warning of resolved.warnings) ctx.note(`warning: ${selector}: ${warning}`);
      const secrets = checkSecretRefs(resolved.manifest, { env: ctx.env });
      const unresolved = secrets.filter((s) => !s.resolved);
      const ok = !(opts.checkSecrets && unresolved.length > 0);
      return {
        selector,
        ok,
        pod_name: resolved.manifest.pod.name,
        warnings: resolved.warnings,
        secrets: secrets.map(({ path, ref, resolved }) => ({ path, ref, resolved })),
        ...(!ok && {
          error: {
            code: "secret_unresolved",
            message: `unresolved secret references: ${
              unresolved.map((s) => `${s.ref} (${s.path})`).join(", ")
            }`,
          },
        }),
      };
    } catch (error) {
      const e = toInsomniaError(error);
      // Ctrl-C ends the whole check (exit 130); it says nothing about this profile.
      if (isCancellation(e, ctx)) throw e;
      return { selector, ok: false, error: { code: e.code, message: e.message } };
    }
  });
  if (ctx.signal.aborted) {
    throw new InsomniaError("cancelled", "profiles check was interrupted; nothing was written.");
  }
  const failed = [...results, ...(frozen ?? [])].filter((r) => !r.ok);
  const lines = results.map((r) =>
    r.ok
      ? `ok    ${r.selector}${
        "secrets" in r && r.secrets?.some((s) => !s.resolved)
          ? "  (unresolved secret refs; see --check-secrets)"
          : ""
      }`
      : `FAIL  ${oneLine(r.selector)}\n      error[${r.error!.code}]: ${oneLine(r.error!.message)}`
  );
  const total = results.length + (frozen?.length ?? 0);
  const podLines = (frozen ?? []).map((r) =>
    r.ok
      ? `ok    Pod ${r.pod}  (${
        r.state === "unknown" ? "inputs not recorded" : "inputs unchanged"
      })`
      : `FAIL  Pod ${r.pod}\n      error[${r.error!.code}]: ${oneLine(r.error!.message)}`
  );
  return {
    json: {
      results,
      ...(frozen && { pods: frozen }),
      passed: total - failed.length,
      failed: failed.length,
    },
    human: `${[...lines, ...podLines].join("\n")}${total ? "\n" : ""}${
      total - failed.length
    } ok, ${failed.length} failed`,
    exitCode: failed.length ? 1 : 0,
  };
}

/** One Pod's line of `profiles check --frozen`. */
interface FrozenResult {
  pod: string;
  ok: boolean;
  state: string;
  changes: InputChange[];
  error?: { code: string; message: string };
}

/** Every Pod of the store, its recorded profile inputs against the files on disk now. */
function frozenCheck(opts: Record<string, unknown>, ctx: CliContext): FrozenResult[] {
  return listPods(storeOptions(opts as { store?: string }, ctx)).map((entry): FrozenResult => {
    if (!entry.ok) {
      return { pod: entry.name, ok: false, state: "unknown", changes: [], error: entry.error };
    }
    const profile = entry.record!.profile;
    const drift = profileDriftDetail(profile);
    if (drift.state === "unchanged" || drift.state === "unknown") {
      return { pod: entry.name, ok: true, state: drift.state, changes: [] };
    }
    return {
      pod: entry.name,
      ok: false,
      state: drift.state,
      changes: drift.changes,
      error: {
        code: "profile_drift",
        message: `the profile of Pod ${entry.name} (${provenanceLabel(profile)}) changed since ` +
          `its snapshot: ${describeChanges(profile, drift.changes)}. Re-resolve it with ` +
          `\`insomnia-pod --pod ${entry.name} --reload-profile\`, or restore the files.`,
      },
    };
  });
}
