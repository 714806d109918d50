/**
 * Provider and model catalogs (anchor-facts §3): builtin TOML files shipped in
 * `resources/catalog/`, each replaced entirely by `<config_dir>/providers.toml` or
 * `<config_dir>/models.toml` when that file exists (a broken override is an error).
 * @module
 */
import { join } from "node:path";
import * as z from "npm:zod@4.6.7/mini";
import { configDir, type Env } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { readBoundedTextIfExists } from "../fs/read_bounded.ts";
import { BUILTIN_CATALOG } from "../generated/resources.ts";
import { AuthRefSchema, CapabilitySchema, SchemeSchema } from "./schema.ts";
import { parseTomlText } from "./toml.ts";
import { describeIssues } from "./validate.ts";

const text = () => z.string().check(z.minLength(1));
const positiveInt = () => z.optional(z.number().check(z.int(), z.positive()));

const ProviderSchema = z.strictObject({
  id: text(),
  display_name: z.optional(z.string()),
  scheme: SchemeSchema,
  base_url: z.optional(text()),
  auth_hint: z.optional(AuthRefSchema),
  default_capability: z.optional(CapabilitySchema),
  default_context_window: positiveInt(),
});

const ModelRowSchema = z.strictObject({
  id: text(),
  provider: text(),
  display_name: z.optional(z.string()),
  context_window: positiveInt(),
  max_context_window: positiveInt(),
  capability: z.optional(CapabilitySchema),
});

/** A provider row. */
export type Provider = z.infer<typeof ProviderSchema>;
/** A model row. */
export type ModelRow = z.infer<typeof ModelRowSchema>;

/** Both catalogs, with where each came from. */
export interface Catalog {
  providers: Provider[];
  models: ModelRow[];
  sources: { providers: string; models: string };
}

function loadOne<T>(
  file: string,
  key: "provider" | "model",
  row: z.ZodMiniType<T>,
  env: Env,
): { rows: T[]; source: string } {
  const dir = configDir(env);
  const override = dir ? join(dir, `${key}s.toml`) : undefined;
  const text = override === undefined ? undefined : readBoundedTextIfExists(override, {
    code: "manifest_parse",
    message: (file, problem) => `cannot read catalog override ${file}: the file ${problem}.`,
  });
  if (text === undefined) {
    // Pre-parsed and validated at build time (tests/builtin_profiles_test.ts).
    const rows = key === "provider" ? BUILTIN_CATALOG.providers : BUILTIN_CATALOG.models;
    return { rows: rows as T[], source: `builtin:catalog/${file}` };
  }
  const source = override as string;
  return { rows: checkRows(parseTomlText(text, source), key, row, source), source };
}

function checkRows<T>(
  doc: unknown,
  key: "provider" | "model",
  row: z.ZodMiniType<T>,
  source: string,
): T[] {
  const schema = z.strictObject({ [key]: z.optional(z.array(row)) });
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issues = describeIssues(schema, parsed.error.issues, doc);
    throw new InsomniaError(
      "manifest_invalid",
      `catalog ${source} is invalid: ${
        issues.map((i) => `${i.field}: ${i.message}`).join("; ")
      }. Fix or remove the file.`,
      { file: source, issues },
    );
  }
  return (parsed.data[key] ?? []) as T[];
}

const cache = new Map<string, Catalog>();

/** Validates a parsed catalog document (`{ provider = […] }` / `{ model = […] }`). */
export function validateCatalogRows(
  doc: unknown,
  kind: "provider" | "model",
  source: string,
): unknown[] {
  return kind === "provider"
    ? checkRows(doc, "provider", ProviderSchema, source)
    : checkRows(doc, "model", ModelRowSchema, source);
}

/** Loads both catalogs (memoised per config dir). */
export function loadCatalog(env: Env): Catalog {
  const key = configDir(env) ?? "";
  const hit = cache.get(key);
  if (hit) return hit;
  const providers = loadOne("providers.toml", "provider", ProviderSchema, env);
  const models = loadOne("models.toml", "model", ModelRowSchema, env);
  const catalog = {
    providers: providers.rows,
    models: models.rows,
    sources: { providers: providers.source, models: models.source },
  };
  cache.set(key, catalog);
  return catalog;
}
