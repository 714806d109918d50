/**
 * Reading a Pod's recorded provenance: one exhaustive place that knows every source kind, so
 * labels, re-resolution and "did the profile change" checks (drift) cannot drift apart.
 * @module
 */
import { dirname, relative } from "node:path";
import { readBoundedBytes } from "../fs/read_bounded.ts";
import { sha256Hex } from "../sha256.ts";
import { type InputChange, inputChanges, isInputList } from "../nix/inputs.ts";
import { builtinSourceSha256 } from "./builtin.ts";
import type { ProfileProvenance } from "./resolve_profile.ts";

/** Provenance of a Pod created from the TOML path (no profile). */
export interface ManifestProvenance {
  /** No selector: the TOML path took no profile. */
  selector: null;
  /** The manifest layers, in merge order (`path` null for an inline layer). */
  source: { kind: "manifest"; layers: Array<{ kind: string; path: string | null }> };
}

/** What a Pod record's `profile` field may hold. */
export type RecordedProvenance = ProfileProvenance | ManifestProvenance | null;

/** True when the Pod was created from a profile (not the TOML path). */
export function isProfileProvenance(value: unknown): value is ProfileProvenance {
  const source = (value as { source?: { kind?: unknown } } | null)?.source;
  return source?.kind === "path" || source?.kind === "registry" || source?.kind === "flake";
}

/** A short label: `project:coder`, `flake:ref#name`, the profile path, or the TOML layers. */
export function provenanceLabel(value: unknown): string {
  if (isProfileProvenance(value)) {
    const s = value.source;
    switch (s.kind) {
      case "registry":
        return `${s.source}:${s.name}`;
      case "flake":
        return `flake:${s.ref}#${s.name}`;
      case "path":
        return s.path;
    }
  }
  const layers = (value as ManifestProvenance | null)?.source?.layers;
  if (!Array.isArray(layers)) return "-";
  if (layers.length === 1 && layers[0].kind === "file") return `manifest ${layers[0].path}`;
  return `manifest cascade (${layers.map((l) => l.path ?? l.kind).join(" → ") || "defaults only"})`;
}

/** The selector that re-evaluates exactly the recorded source (the recorded file, not a lookup). */
export function reselectorOf(provenance: ProfileProvenance): string {
  const s = provenance.source;
  switch (s.kind) {
    case "flake":
      return `flake:${s.ref}#${s.name}`;
    case "registry":
      return s.source === "builtin" ? `builtin:${s.name}` : `path:${s.path}`;
    case "path":
      return `path:${s.path}`;
  }
}

/** What changed in a Pod's profile since its snapshot. */
export interface ProfileDrift {
  /** `changed`: some input differs; `missing`: the profile file itself is gone. */
  state: "unchanged" | "changed" | "missing" | "unknown";
  /** Each input that differs (records written before inputs were recorded: the profile only). */
  changes: InputChange[];
}

/**
 * Whether the profile changed since the snapshot, input by input (by sha256, never by
 * evaluating): the profile file, every file it imported or read, every directory it listed.
 */
export function profileDriftDetail(profile: unknown): ProfileDrift {
  if (!isProfileProvenance(profile)) return { state: "unknown", changes: [] };
  const p = profile;
  const inputs = p.fingerprint?.inputs;
  if (isInputList(inputs) && inputs.length > 0 && p.source.kind !== "flake") {
    const changes = inputChanges(inputs);
    const file = p.source.path;
    const state = changes.some((c) => c.path === file && c.change === "missing")
      ? "missing"
      : changes.length
      ? "changed"
      : "unchanged";
    return { state, changes };
  }
  const recorded = p.fingerprint?.profile_sha256;
  if (!recorded) return { state: "unknown", changes: [] };
  let current: string | undefined;
  if (p.source.kind === "registry" && p.source.source === "builtin") {
    current = builtinSourceSha256(p.source.name);
  } else if (p.source.kind === "path" || p.source.kind === "registry") {
    try {
      const bytes = readBoundedBytes(p.source.path, { code: "artifact_invalid" });
      current = sha256Hex(bytes);
    } catch {
      return { state: "missing", changes: [{ path: p.source.path, change: "missing" }] };
    }
  }
  if (current === undefined) return { state: "unknown", changes: [] };
  if (current === recorded) return { state: "unchanged", changes: [] };
  const path = p.source.kind === "flake" ? "" : p.source.path;
  return { state: "changed", changes: [{ path, change: "changed" }] };
}

/** `common.nix changed, prompt.md missing`: paths relative to the profile's directory. */
export function describeChanges(profile: unknown, changes: readonly InputChange[]): string {
  const p = isProfileProvenance(profile) ? profile : undefined;
  const base = p && p.source.kind !== "flake" ? dirname(p.source.path) : undefined;
  return changes.map((c) => {
    const rel = base ? relative(base, c.path) : c.path;
    return `${rel === "" || rel.startsWith("..") ? c.path : rel} ${c.change}`;
  }).join(", ");
}
