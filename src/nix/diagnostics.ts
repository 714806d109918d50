/**
 * Reading Nix's stderr: the first `error:` line, the most useful `at file:line:col:` location, and
 * a private trace file that keeps the full (redacted) output for later reading.
 * @module
 */
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import process from "node:process";

/** A source position reported by Nix (1-based line and column). */
export interface NixLocation {
  file: string;
  line: number;
  column: number;
}

/** What {@link parseNixStderr} found in Nix's stderr. */
export interface NixDiagnostic {
  /** Text of the first `error:` line (plus its continuation lines), without the prefix. */
  error: string | undefined;
  /** First location in the user's own files, else the first location at all. */
  location: NixLocation | undefined;
  /** The evaluation needed the Nix store, which the `dummy://` store refuses. */
  needsStore: boolean;
}

const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const ANSI = new RegExp(
  `${ESC}\\[[0-?]*[ -/]*[@-~]|${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)|${ESC}[@-_]`,
  "g",
);
const LOCATION = /^\s*at (.+):(\d+):(\d+):\s*$/;
const MAX_ERROR_CHARS = 500;

/** Removes ANSI colour and control sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * Parses Nix's (ANSI-stripped) stderr. `libraryPaths` are the `-I` directories: locations inside
 * them belong to the library, so the first location outside them is the one shown to the user.
 */
export function parseNixStderr(text: string, libraryPaths: string[] = []): NixDiagnostic {
  const lines = text.split(/\r?\n/);
  let error: string | undefined;
  const start = lines.findIndex((line) => line.startsWith("error: "));
  if (start >= 0) {
    const parts = [lines[start].slice("error: ".length).trim()];
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === "" || LOCATION.test(lines[i]) || line.startsWith("…")) break;
      parts.push(line);
    }
    error = truncate(parts.join(" "), MAX_ERROR_CHARS);
  }

  const locations: NixLocation[] = [];
  for (const line of lines) {
    const match = LOCATION.exec(line);
    if (!match || match[1].startsWith("«")) continue;
    locations.push({ file: match[1], line: Number(match[2]), column: Number(match[3]) });
  }
  const libraries = libraryPaths.flatMap(pathForms);
  const own = locations.find((loc) => !libraries.some((lib) => isInside(loc.file, lib)));
  return {
    error,
    location: own ?? locations[0],
    needsStore: /is not supported by store 'dummy'/.test(text),
  };
}

/** The path as given (absolutised) and, when it exists, with symlinks resolved. */
function pathForms(path: string): string[] {
  const forms = [resolve(path)];
  try {
    forms.push(realpathSync(path));
  } catch {
    // A missing include path simply never matches.
  }
  return forms;
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const EXCERPT_LINE = /^\s*\d*\|(?: |$)/;

/**
 * Nix's stderr without the source lines it quotes around an error location (`   2| text` and
 * the `    |   ^` marker under it): a trace file outlives the run, and the quoted file may not be
 * Nix at all (`--profile path:~/.aws/credentials`). The `at file:line:column:` line stays.
 */
export function withoutSourceExcerpts(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!EXCERPT_LINE.test(line)) out.push(line);
    else if (!EXCERPT_LINE.test(out.at(-1) ?? "")) out.push("            | [source lines omitted]");
  }
  return out.join("\n");
}

/** Default directory for trace files: `<tmpdir>/insomnia-pod-traces`. */
export function defaultTraceDir(): string {
  return join(tmpdir(), "insomnia-pod-traces");
}

/**
 * Writes `content` to a new file (mode 0600) in `dir` (created with mode 0700) and returns its
 * path, or undefined when no file could be written. A directory that is not ours or is writable by
 * others (e.g. pre-created in a shared /tmp) is not used; a fresh private directory replaces it.
 */
export function writeTraceFile(dir: string, content: string): string | undefined {
  const name = `nix-eval-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}-${
    Math.random().toString(36).slice(2, 8)
  }.log`;
  for (
    const candidate of [
      () => privateDir(dir),
      () => mkdtempSync(join(tmpdir(), "insomnia-pod-traces-")),
    ]
  ) {
    let target: string | undefined;
    try {
      target = candidate();
    } catch {
      continue;
    }
    if (target === undefined) continue;
    const path = join(target, name);
    try {
      // "wx" refuses to follow a planted symlink or overwrite anything.
      const fd = openSync(path, "wx", 0o600);
      try {
        const bytes = new TextEncoder().encode(content);
        let offset = 0;
        while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      } finally {
        closeSync(fd);
      }
      pruneTraceFiles(target);
      return path;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** How many trace files a trace directory keeps (the newest). */
const MAX_TRACE_FILES = 50;
/** Trace files older than this are removed whenever a new one is written. */
const MAX_TRACE_AGE_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Removes trace files (`nix-eval-*.log`) in `dir` beyond the newest {@link MAX_TRACE_FILES} or
 * older than {@link MAX_TRACE_AGE_MS}, so failed evaluations do not fill the disk. Best effort.
 */
function pruneTraceFiles(dir: string, now = Date.now()): void {
  try {
    const traces = readdirSync(dir)
      .filter((name) => /^nix-eval-.*\.log$/.test(name))
      .flatMap((name) => {
        try {
          const stat = lstatSync(join(dir, name));
          return stat.isFile() ? [{ path: join(dir, name), mtime: stat.mtimeMs }] : [];
        } catch {
          return [];
        }
      })
      .sort((a, b) => b.mtime - a.mtime);
    traces.forEach((trace, i) => {
      if (i >= MAX_TRACE_FILES || now - trace.mtime > MAX_TRACE_AGE_MS) {
        rmSync(trace.path, { force: true });
      }
    });
  } catch {
    // Pruning is housekeeping; the trace that was just written is what matters.
  }
}

function privateDir(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) return undefined;
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  if (uid !== undefined && stat.uid !== uid) return undefined;
  if ((stat.mode & 0o022) !== 0) return undefined;
  return dir;
}

const ACCESS = /^(?:checking access to|evaluating file) '(.+)'$/;
const VERBOSE = /^(?:checking access to|evaluating file|resolved search path element) '/;

/**
 * Every path a sandboxed evaluation touched, in first-touch order, from the `-vvv` lines Nix prints
 * in restricted mode (`checking access to '…'`, `evaluating file '…'`): the files it read or
 * imported, the directories it listed or imported, and the paths whose existence it tested.
 */
export function accessedPaths(stderr: string): string[] {
  const seen = new Set<string>();
  for (const line of stderr.split("\n")) {
    const match = ACCESS.exec(line);
    if (match) seen.add(match[1]);
  }
  return [...seen];
}

/** Nix's stderr without the `-vvv` access lines (for messages and trace files). */
export function withoutAccessLines(stderr: string): string {
  return stderr.split("\n").filter((line) => !VERBOSE.test(line)).join("\n");
}
