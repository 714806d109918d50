/**
 * The New Pod dialog: ONE `@inquirer/core` prompt with two modes.
 *
 * - **form**: a title, the name field (edited by readline itself, so the usual editing keys work),
 *   the profile row, a preview of the selected profile (evaluated in the background, spinner while
 *   pending), a hint line and a message line;
 * - **picker** (`/` or Ctrl-P): a filter field and the list of every choice, filtered as you type.
 *
 * The prompt never evaluates or writes by itself: previews come from a {@link PreviewCache}
 * and Enter calls `config.create`, so the caller decides what "create" means (the CLI's path).
 * Inquirer owns raw mode, the cursor and restoring the terminal.
 * @module
 */
import process from "node:process";
import {
  createPrompt,
  isEnterKey,
  type KeypressEvent,
  useEffect,
  useKeypress,
  useRef,
  useState,
} from "@inquirer/core";
import { type Choice, cycle, filterChoices, nameProblem, sanitizeName } from "./choices.ts";
import type { Preview, PreviewCache } from "./preview.ts";
import { clip, wrapIndented } from "./text.ts";

/** The outcome of a create attempt: a value for the caller, or an error to show in the dialog. */
export type CreateOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; message: string };

/** What the dialog resolves to. Ctrl-C rejects (inquirer's `ExitPromptError`) instead. */
export type DialogResult<T> = { kind: "created"; value: T } | { kind: "cancelled" };

/** Dialog inputs. */
export interface DialogConfig<T> {
  /** Every choice; there is always at least the `manifest cascade` opt-out. */
  choices: Choice[];
  /** Index of the initially selected choice. */
  initialIndex: number;
  /** Initial name field value. */
  initialName: string;
  /** Initial message line (e.g. why `--profile` could not be matched), shown as a warning. */
  initialMessage?: string;
  /** Workspace shown in the title. */
  workspace: string;
  /** Background evaluations, cached per choice key. */
  previews: PreviewCache;
  /** Creates the Pod; errors are returned, not thrown, so the dialog can show them. */
  create(choice: Choice, name: string): Promise<CreateOutcome<T>>;
  /** Use ANSI colours. */
  colors: boolean;
  /** Delay before a newly selected profile is evaluated (ms; default 150). */
  debounceMs?: number;
}

/** Mutable readline state the dialog edits (the public `line` plus `cursor` and `history`). */
interface LineState {
  line: string;
  cursor: number;
  history?: string[];
}

type Mode = "form" | "picker";
type Status = "idle" | "creating" | "done";
type Message = { tone: "info" | "warn" | "error"; text: string };

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const PICKER_ROWS = 12;
const MAX_ERROR_CHARS = 700;

/** Form hint line. */
export const FORM_HINT =
  "enter create · tab/↓ next profile · shift-tab/↑ prev · / or ctrl-p pick · esc cancel";
/** Picker hint line. */
export const PICKER_HINT = "type to filter · ↑/↓ move · enter choose · esc back";

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function paint(enabled: boolean) {
  const wrap = (code: string) => (text: string) => enabled ? `\x1b[${code}m${text}\x1b[0m` : text;
  return {
    bold: wrap("1"),
    dim: wrap("2"),
    red: wrap("31"),
    green: wrap("32"),
    yellow: wrap("33"),
    cyan: wrap("36"),
  };
}

/** Terminal width of stderr (the dialog's output). */
function columns(): number {
  return process.stderr.columns || 80;
}

function isKey(key: KeypressEvent, name: string, mods: { ctrl?: boolean; shift?: boolean } = {}) {
  return key.name === name && Boolean(key.ctrl) === Boolean(mods.ctrl) &&
    (mods.shift === undefined || Boolean(key.shift) === mods.shift);
}

function sequenceOf(key: KeypressEvent): string | undefined {
  return (key as KeypressEvent & { sequence?: string }).sequence;
}

/** Creates the prompt function (call it with the config and inquirer's context). */
export function createDialog<T>() {
  return createPrompt<DialogResult<T>, DialogConfig<T>>((config, done) => {
    const c = paint(config.colors);
    const { choices, previews } = config;
    const [mode, setMode] = useState<Mode>("form");
    const [status, setStatus] = useState<Status>("idle");
    const [index, setIndex] = useState(config.initialIndex);
    const [name, setName] = useState(config.initialName);
    const [query, setQuery] = useState("");
    const [highlight, setHighlight] = useState(config.initialIndex);
    const [message, setMessage] = useState<Message | undefined>(
      config.initialMessage ? { tone: "warn", text: config.initialMessage } : undefined,
    );
    const [settledKey, setSettledKey] = useState<string | undefined>(undefined);
    const [, setTick] = useState(0);
    const [frame, setFrame] = useState(0);
    /** The last clean state of the field being edited (restored after command keys). */
    const field = useRef({ line: config.initialName, cursor: config.initialName.length });

    const selected = choices[index];
    const preview: Preview | undefined = previews.get(selected.key);

    // Put the initial name into readline's line buffer (so readline edits it).
    useEffect((rl) => {
      const state = rl as unknown as LineState;
      state.line = config.initialName;
      state.cursor = config.initialName.length;
      setTick((t) => t + 1);
    }, []);

    // Evaluate the selection once it has settled for a moment.
    useEffect(() => {
      const timer = setTimeout(() => setSettledKey(selected.key), config.debounceMs ?? 150);
      return () => clearTimeout(timer);
    }, [selected.key]);
    useEffect(() => {
      if (settledKey === undefined) return;
      let live = true;
      previews.ensure(settledKey).then(() => {
        if (live) setTick((t) => t + 1);
      });
      return () => {
        live = false;
      };
    }, [settledKey]);

    const spinning = status === "creating" || (mode === "form" && preview === undefined);
    useEffect(() => {
      if (!spinning) return;
      const timer = setInterval(() => setFrame((f) => f + 1), 80);
      return () => clearInterval(timer);
    }, [spinning]);

    const setLine = (rl: unknown, line: string, cursor = line.length) => {
      const state = rl as LineState;
      state.line = line;
      state.cursor = cursor;
      field.current = { line, cursor };
    };
    const restoreLine = (rl: unknown) => setLine(rl, field.current.line, field.current.cursor);
    const select = (next: number) => {
      if (next === index) return;
      setIndex(next);
      setMessage(undefined);
    };
    const openPicker = (rl: unknown) => {
      setMode("picker");
      setQuery("");
      setHighlight(index);
      setLine(rl, "");
    };
    const closePicker = (rl: unknown, chosen?: number) => {
      setMode("form");
      if (chosen !== undefined) select(chosen);
      setLine(rl, name);
    };

    const submit = (rl: unknown) => {
      const problem = nameProblem(name);
      if (problem) {
        setMessage({ tone: "error", text: problem });
        return;
      }
      setStatus("creating");
      setMessage(undefined);
      const choice = selected;
      config.create(choice, name).then((outcome) => {
        if (outcome.ok) {
          setStatus("done");
          done({ kind: "created", value: outcome.value });
          return;
        }
        setStatus("idle");
        setLine(rl, name);
        const shown = previews.get(choice.key);
        if (shown?.status === "error" && shown.code === outcome.code) {
          // The preview above already shows this failure in full.
          setMessage({
            tone: "error",
            text:
              `cannot create the Pod: error[${outcome.code}] (see above); pick another profile.`,
          });
          return;
        }
        const hint = outcome.code === "pod_exists" || outcome.code === "pod_name_invalid"
          ? " Edit the name and press Enter again."
          : "";
        setMessage({ tone: "error", text: `error[${outcome.code}]: ${outcome.message}${hint}` });
      });
    };

    useKeypress((key, rl) => {
      const state = rl as unknown as LineState;
      // Readline already applied the key to its line; Enter cleared it and added it to history.
      if (state.history) state.history.length = 0;
      if (status !== "idle") {
        restoreLine(rl);
        return;
      }
      const seq = sequenceOf(key);
      const isTab = isKey(key, "tab", { shift: false });
      const isBackTab = isKey(key, "tab", { shift: true });
      const isCtrlP = isKey(key, "p", { ctrl: true });
      const isCtrlN = isKey(key, "n", { ctrl: true });
      const isUp = isKey(key, "up");
      const isDown = isKey(key, "down");
      const isEscape = key.name === "escape";
      if (isKey(key, "d", { ctrl: true }) && field.current.line === "") {
        done({ kind: "cancelled" });
        return;
      }

      if (mode === "form") {
        if (isEnterKey(key)) {
          restoreLine(rl);
          submit(rl);
        } else if (isEscape) {
          restoreLine(rl);
          done({ kind: "cancelled" });
        } else if (isTab || isDown) {
          restoreLine(rl);
          select(cycle(index, 1, choices.length));
        } else if (isBackTab || isUp) {
          restoreLine(rl);
          select(cycle(index, -1, choices.length));
        } else if (isCtrlP || seq === "/") {
          restoreLine(rl);
          openPicker(rl);
        } else if (CONTROL.test(state.line)) {
          restoreLine(rl); // an unhandled escape sequence was inserted as text
        } else {
          const { line: clean, cursor } = sanitizeName(state.line, state.cursor);
          setLine(rl, clean, cursor);
          if (clean !== name) {
            setName(clean);
            if (message?.tone === "error") setMessage(undefined);
          }
        }
        return;
      }

      // picker
      const matches = filterChoices(choices, query);
      const current = matches.includes(highlight) ? highlight : matches[0];
      const move = (delta: number) => {
        if (matches.length === 0) return;
        const pos = Math.max(0, matches.indexOf(current));
        setHighlight(matches[cycle(pos, delta, matches.length)]);
      };
      if (isEnterKey(key)) {
        if (current === undefined) {
          restoreLine(rl);
          setMessage({ tone: "error", text: `nothing matches "${query}"` });
        } else closePicker(rl, current);
      } else if (isEscape) {
        closePicker(rl);
      } else if (isDown || isTab || isCtrlN) {
        restoreLine(rl);
        move(1);
      } else if (isUp || isBackTab || isCtrlP) {
        restoreLine(rl);
        move(-1);
      } else if (CONTROL.test(state.line)) {
        restoreLine(rl);
      } else if (state.line !== query) {
        setLine(rl, state.line, state.cursor);
        setQuery(state.line);
        setMessage(undefined);
      }
    });

    const width = Math.max(40, columns() - 1);
    const title = `${c.bold("New Pod")}  ${
      c.dim(clip(`workspace ${config.workspace}`, width - 9))
    }`;
    const spin = c.yellow(SPINNER[frame % SPINNER.length]);
    const block = (text: string, first: string, indent: string, color: (t: string) => string) =>
      wrapIndented(clip(text, MAX_ERROR_CHARS), width, first, indent).map(color);
    const messageLines = message
      ? block(
        message.text,
        "  ",
        "  ",
        message.tone === "error" ? c.red : message.tone === "warn" ? c.yellow : c.dim,
      )
      : [];

    if (status === "done") return `${c.green("✔")} ${c.bold("New Pod")} ${name}`;

    if (mode === "picker") {
      const matches = filterChoices(choices, query);
      const current = matches.includes(highlight) ? highlight : matches[0];
      const pos = Math.max(0, matches.indexOf(current));
      const start = Math.max(
        0,
        Math.min(pos - Math.floor(PICKER_ROWS / 2), matches.length - PICKER_ROWS),
      );
      const rows = matches.slice(start, start + PICKER_ROWS).map((i) =>
        i === current
          ? c.cyan(clip(`  ❯ ${choices[i].label}`, width))
          : clip(`    ${choices[i].label}`, width)
      );
      if (matches.length === 0) rows.push(c.dim("    (no profile matches)"));
      const content = `${title}\n  ${c.bold("pick a profile")} ${
        c.dim(`(${matches.length} of ${choices.length})`)
      }\n  filter: ${query}`;
      return [content, [...rows, c.dim(`  ${PICKER_HINT}`), ...messageLines].join("\n")];
    }

    const lines: string[] = block(selected.label, "  profile: ", "           ", (t) => t);
    if (preview === undefined) {
      const what = selected.kind === "cascade" ? "the manifest cascade" : selected.key;
      lines.push(`    ${spin} evaluating ${what}…`);
    } else if (preview.status === "error") {
      lines.push(
        ...block(`error[${preview.code}]: ${preview.message}`, "    ✖ ", "      ", c.red),
      );
    } else {
      const keyWidth = Math.max(...preview.rows.map(([k]) => k.length)) + 1;
      const indent = " ".repeat(4 + keyWidth + 1);
      for (const [k, v] of preview.rows) {
        const [first, ...more] = wrapIndented(v, width, indent, indent);
        lines.push(
          `    ${c.dim((k + ":").padEnd(keyWidth))} ${first.slice(indent.length)}`,
          ...more,
        );
      }
      if (preview.warnings.length) {
        const text = `warnings: ${preview.warnings.length} (${clip(preview.warnings[0], 200)})`;
        lines.push(...block(text, "    ", "      ", c.yellow));
      }
    }
    lines.push(c.dim(clip(`  ${FORM_HINT}`, width)));
    if (status === "creating") lines.push(`  ${spin} creating Pod ${name}…`);
    else lines.push(...messageLines);
    return [`${title}\n  name: ${name}`, lines.join("\n")];
  });
}

/** True when ANSI colours should be used on stderr. */
export function colorsEnabled(env: Record<string, string | undefined>): boolean {
  return !env.NO_COLOR && Boolean(process.stderr.isTTY) && env.TERM !== "dumb";
}
