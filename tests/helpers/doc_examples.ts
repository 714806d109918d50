/**
 * Extracts the runnable command examples of a Markdown document (the doc-test runner's parser).
 *
 * A fenced block is runnable when it is a `sh` block (every line is a command; `#` starts a
 * comment, a trailing `\` continues the line) or any `sh`/`text`/plain block holding a
 * transcript: `$ command` lines, each followed by the output the document claims it prints.
 * Directives in HTML comments right before a block steer the runner without showing in the
 * rendered page:
 *
 * - `<!-- doctest: skip REASON -->` — the block is not run (the reason is required);
 * - `<!-- doctest: setup COMMAND -->` — run COMMAND first (its exit status must be 0);
 * - `<!-- doctest: env NAME=VALUE -->` — set NAME for this and every later block of the file.
 *
 * Output without a command (a block of `error[…]` or `warning:` lines) is refused, so every
 * message a document shows is one the runner reproduces.
 */

/** One command to run, with what the document says it prints (`null`: not shown). */
export interface DocStep {
  /** 1-based line of the command in the document. */
  line: number;
  /** The shell command, continuation lines joined with newlines. */
  command: string;
  /** Expected output lines (stdout and stderr merged), or `null` when the doc shows none. */
  expected: string[] | null;
}

/** A runnable block: its setup, environment and steps, or why it is skipped. */
export interface DocBlock {
  line: number;
  info: string;
  skip: string | null;
  setup: string[];
  env: Record<string, string>;
  steps: DocStep[];
}

const FENCE = /^(```+)\s*([\w-]*)\s*$/;
const DIRECTIVE = /^<!--\s*doctest:\s*(skip|setup|env)\b\s*(.*?)\s*-->\s*$/;
const OUTPUT_ONLY = /^(error\[[a-z_]+\]|warning:)/;

/** Parses `text` (a Markdown document named `file`) into its runnable blocks. */
export function docBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  let pending: { skip: string | null; setup: string[]; env: Record<string, string> } = {
    skip: null,
    setup: [],
    env: {},
  };
  for (let i = 0; i < lines.length; i++) {
    const directive = DIRECTIVE.exec(lines[i]);
    if (directive) {
      const [, kind, arg] = directive;
      if (!arg) throw new Error(`${file}:${i + 1}: doctest ${kind} needs an argument`);
      if (kind === "skip") pending.skip = arg;
      else if (kind === "setup") pending.setup.push(arg);
      else {
        const eq = arg.indexOf("=");
        if (eq < 1) throw new Error(`${file}:${i + 1}: doctest env needs NAME=VALUE`);
        pending.env[arg.slice(0, eq)] = arg.slice(eq + 1);
      }
      continue;
    }
    const fence = FENCE.exec(lines[i]);
    if (!fence) {
      if (lines[i].trim() !== "") pending = { skip: null, setup: [], env: {} };
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) body.push(lines[i]);
    const info = fence[2];
    const block: DocBlock = { line: start + 1, info, ...pending, steps: [] };
    pending = { skip: null, setup: [], env: {} };
    if (!["sh", "text", ""].includes(info)) continue;
    if (body.some((l) => l.startsWith("$ "))) block.steps = transcriptSteps(body, start + 2);
    else if (info === "sh") block.steps = commandSteps(body, start + 2);
    else if (body.some((l) => OUTPUT_ONLY.test(l))) {
      throw new Error(
        `${file}:${start + 1}: a block shows output without the command that prints it; ` +
          "write it as a transcript (`$ insomnia-pod …` followed by its output)",
      );
    } else continue;
    blocks.push(block);
  }
  return blocks;
}

/** `sh` block: one command per line (comments and blank lines skipped, `\` continues). */
function commandSteps(body: string[], firstLine: number): DocStep[] {
  const steps: DocStep[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const start = i;
    const parts = [line];
    while (parts[parts.length - 1].endsWith("\\") && i + 1 < body.length) parts.push(body[++i]);
    steps.push({ line: firstLine + start, command: parts.join("\n"), expected: null });
  }
  return steps;
}

/** Transcript: `$ cmd` (continued while a quote is open or a line ends in `\`), then output. */
function transcriptSteps(body: string[], firstLine: number): DocStep[] {
  const steps: DocStep[] = [];
  let i = 0;
  while (i < body.length && !body[i].startsWith("$ ")) {
    if (body[i].trim() !== "") throw new Error(`line ${firstLine + i}: output before any command`);
    i++;
  }
  while (i < body.length) {
    const start = i;
    const parts = [body[i].slice(2)];
    while (continues(parts.join("\n")) && i + 1 < body.length) parts.push(body[++i]);
    const expected: string[] = [];
    for (i++; i < body.length && !body[i].startsWith("$ "); i++) expected.push(body[i]);
    while (expected.length > 0 && expected[expected.length - 1].trim() === "") expected.pop();
    steps.push({ line: firstLine + start, command: parts.join("\n"), expected });
  }
  return steps;
}

/** Whether a shell command is unfinished: an open single or double quote, or a trailing `\`. */
function continues(command: string): boolean {
  if (command.endsWith("\\")) return true;
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(command[i - 1]))) return false;
  }
  return quote !== null;
}

/**
 * Whether `actual` output lines match the `expected` ones a document shows: equal line by line
 * (trailing spaces ignored), where `…` inside a line stands for any text and a line that is
 * only `…` for any number of lines.
 */
export function outputMatches(expected: string[], actual: string[]): boolean {
  const exp = expected.map((l) => l.trimEnd());
  const act = actual.map((l) => l.trimEnd());
  const memo = new Map<string, boolean>();
  const match = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (e === exp.length) result = a === act.length;
    else if (exp[e] === "…") result = match(e + 1, a) || (a < act.length && match(e, a + 1));
    else result = a < act.length && lineMatches(exp[e], act[a]) && match(e + 1, a + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function lineMatches(expected: string, actual: string): boolean {
  if (!expected.includes("…")) return expected === actual;
  const pattern = expected.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${pattern.join(".*")}$`).test(actual);
}
