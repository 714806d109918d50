/**
 * The New Pod dialog's state and what each key does to it: a pure reducer, `(state, key) → state`,
 * unit-tested without a terminal (tests/tui_dialog_test.ts). The prompt (`dialog.ts`) feeds it
 * readline's keys and line, writes `readline` back, starts the create a submit asks for and
 * resolves when the user leaves.
 *
 * The name field and the picker's filter are edited by readline itself (so the usual editing keys
 * work); the reducer sanitises what readline produced and restores the last clean text after keys
 * that are commands, not text.
 * @module
 */
import type { Preview } from "./preview.ts";
import {
  type Choice,
  cycle,
  filterChoices,
  nameProblem,
  sanitizeName,
  withProjectTrusted,
} from "./choices.ts";

/** The form (name, profile row, preview) or the picker (filter and list of every choice). */
export type Mode = "form" | "picker";
/** Waiting for keys, trusting a project or creating the Pod (keys are ignored), or created. */
export type Status = "idle" | "trusting" | "creating" | "done";
/** The message line. */
export type Message = { tone: "info" | "warn" | "error"; text: string };
/** A line of text being edited and the cursor in it. */
export type Line = { line: string; cursor: number };

/** Everything the dialog shows and remembers. */
export interface DialogState {
  /** Every choice; there is always at least the `manifest cascade` opt-out. */
  readonly choices: readonly Choice[];
  /** Which screen is shown. */
  readonly mode: Mode;
  /** Whether a create is running or done. */
  readonly status: Status;
  /** Index of the selected choice. */
  readonly index: number;
  /** The name field. */
  readonly name: string;
  /** The picker's filter. */
  readonly query: string;
  /** The choice highlighted in the picker. */
  readonly highlight: number;
  /** The message line, if any. */
  readonly message?: Message;
  /** The last clean content of the field being edited (restored after command keys). */
  readonly field: Line;
  /** What readline's line must become now; undefined: leave it as readline made it. */
  readonly readline?: Line;
  /** The user left (Esc, Ctrl-D on an empty field): the dialog ends, nothing created. */
  readonly cancelled: boolean;
}

/** A key, with readline's line and cursor after readline applied it. */
export interface KeyPress {
  /** Key name as readline reports it (`tab`, `up`, `p`, `escape`, `return`, …). */
  name?: string;
  /** Control held. */
  ctrl?: boolean;
  /** Shift held. */
  shift?: boolean;
  /** The characters the key sent. */
  sequence?: string;
  /** readline's line after the key. */
  line: string;
  /** readline's cursor after the key. */
  cursor: number;
}

/** The state the dialog opens with. */
export function initialState(config: {
  choices: readonly Choice[];
  initialIndex: number;
  initialName: string;
  initialMessage?: string;
}): DialogState {
  const field = { line: config.initialName, cursor: config.initialName.length };
  return {
    choices: config.choices,
    mode: "form",
    status: "idle",
    index: config.initialIndex,
    name: config.initialName,
    query: "",
    highlight: config.initialIndex,
    message: config.initialMessage ? { tone: "warn", text: config.initialMessage } : undefined,
    field,
    readline: field,
    cancelled: false,
  };
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function isKey(key: KeyPress, name: string, mods: { ctrl?: boolean; shift?: boolean } = {}) {
  return key.name === name && Boolean(key.ctrl) === Boolean(mods.ctrl) &&
    (mods.shift === undefined || Boolean(key.shift) === mods.shift);
}

function isEnter(key: KeyPress): boolean {
  return key.name === "enter" || key.name === "return";
}

/** `state` with the edited field set to `line` (and readline told so). */
function setLine(state: DialogState, line: string, cursor = line.length): DialogState {
  const field = { line, cursor };
  return { ...state, field, readline: field };
}

/** `state` with the last clean field text put back into readline. */
function restoreLine(state: DialogState): DialogState {
  return setLine(state, state.field.line, state.field.cursor);
}

function select(state: DialogState, next: number): DialogState {
  return next === state.index ? state : { ...state, index: next, message: undefined };
}

function closePicker(state: DialogState, chosen?: number): DialogState {
  const form = { ...state, mode: "form" as const };
  return setLine(chosen === undefined ? form : select(form, chosen), state.name);
}

function submit(state: DialogState): DialogState {
  const problem = nameProblem(state.name);
  if (problem) return { ...state, message: { tone: "error", text: problem } };
  return { ...state, status: "creating", message: undefined };
}

/** What `key` does to the dialog. */
export function reduce(state: DialogState, key: KeyPress): DialogState {
  const now = { ...state, readline: undefined };
  if (state.status !== "idle") return restoreLine(now);
  const isTab = isKey(key, "tab", { shift: false });
  const isBackTab = isKey(key, "tab", { shift: true });
  const isCtrlP = isKey(key, "p", { ctrl: true });
  const isCtrlN = isKey(key, "n", { ctrl: true });
  const isUp = isKey(key, "up");
  const isDown = isKey(key, "down");
  const isEscape = key.name === "escape";
  if (isKey(key, "d", { ctrl: true }) && state.field.line === "") {
    return { ...now, cancelled: true };
  }
  const { choices } = state;

  if (state.mode === "form") {
    if (isEnter(key)) return submit(restoreLine(now));
    if (isKey(key, "t", { ctrl: true })) return askTrust(restoreLine(now));
    if (isEscape) return { ...restoreLine(now), cancelled: true };
    if (isTab || isDown) return select(restoreLine(now), cycle(state.index, 1, choices.length));
    if (isBackTab || isUp) return select(restoreLine(now), cycle(state.index, -1, choices.length));
    if (isCtrlP || key.sequence === "/") {
      const picker = { ...now, mode: "picker" as const, query: "", highlight: state.index };
      return setLine(picker, "");
    }
    if (CONTROL.test(key.line)) return restoreLine(now); // an escape sequence inserted as text
    const clean = sanitizeName(key.line, key.cursor);
    const edited = setLine(now, clean.line, clean.cursor);
    if (clean.line === state.name) return edited;
    return {
      ...edited,
      name: clean.line,
      message: state.message?.tone === "error" ? undefined : state.message,
    };
  }

  // picker
  const matches = filterChoices(choices, state.query);
  const current = matches.includes(state.highlight) ? state.highlight : matches[0];
  const move = (next: DialogState, delta: number): DialogState => {
    if (matches.length === 0) return next;
    const pos = Math.max(0, matches.indexOf(current));
    return { ...next, highlight: matches[cycle(pos, delta, matches.length)] };
  };
  if (isEnter(key)) {
    if (current !== undefined) return closePicker(now, current);
    return {
      ...restoreLine(now),
      message: { tone: "error", text: `nothing matches "${state.query}"` },
    };
  }
  if (isEscape) return closePicker(now);
  if (isDown || isTab || isCtrlN) return move(restoreLine(now), 1);
  if (isUp || isBackTab || isCtrlP) return move(restoreLine(now), -1);
  if (CONTROL.test(key.line)) return restoreLine(now);
  if (key.line !== state.query) {
    return { ...setLine(now, key.line, key.cursor), query: key.line, message: undefined };
  }
  return now;
}

/** True when the selected choice is a profile of a project that is not trusted. */
export function selectedUntrusted(state: DialogState): boolean {
  const choice = state.choices[state.index];
  return choice?.kind === "profile" && choice.entry.untrusted === true;
}

/** Ctrl-T: trust the selected profile's project (the dialog records it, then re-evaluates). */
function askTrust(state: DialogState): DialogState {
  if (!selectedUntrusted(state)) {
    return { ...state, message: { tone: "info", text: "this profile needs no trust" } };
  }
  return { ...state, status: "trusting", message: undefined };
}

/** The project was trusted: its profiles can be previewed and created now. */
export function projectTrusted(state: DialogState, root: string): DialogState {
  return {
    ...setLine({ ...state, status: "idle" }, state.name),
    choices: withProjectTrusted(state.choices),
    message: { tone: "info", text: `trusted project ${root} as it is now` },
  };
}

/** Trusting failed: back to editing, with why. */
export function trustFailed(
  state: DialogState,
  failure: { code: string; message: string },
): DialogState {
  return {
    ...setLine({ ...state, status: "idle" }, state.name),
    message: { tone: "error", text: `error[${failure.code}]: ${failure.message}` },
  };
}

/** The create finished: the dialog is done. */
export function created(state: DialogState): DialogState {
  return { ...state, status: "done", readline: undefined };
}

/**
 * The create failed: back to editing, with the error on the message line (short when the
 * selected choice's preview already shows the same failure in full).
 */
export function createFailed(
  state: DialogState,
  failure: { code: string; message: string },
  preview: Preview | undefined,
): DialogState {
  const idle = setLine({ ...state, status: "idle" }, state.name);
  if (preview?.status === "error" && preview.code === failure.code) {
    return {
      ...idle,
      message: {
        tone: "error",
        text: `cannot create the Pod: error[${failure.code}] (see above); pick another profile.`,
      },
    };
  }
  const hint = failure.code === "pod_exists" || failure.code === "pod_name_invalid"
    ? " Edit the name and press Enter again."
    : "";
  return {
    ...idle,
    message: { tone: "error", text: `error[${failure.code}]: ${failure.message}${hint}` },
  };
}
