/**
 * What the New Pod dialog shows for a state: a pure `render(state, view)` (no terminal access;
 * the terminal's width, the preview of the selected choice and the spinner frame come in `view`).
 * Unit-tested without a terminal (tests/tui_dialog_test.ts).
 * @module
 */
import { filterChoices } from "./choices.ts";
import { type DialogState, selectedUntrusted } from "./dialog_state.ts";
import type { Preview } from "./preview.ts";
import { clip, wrapIndented } from "./text.ts";
import { oneLine } from "../terminal_text.ts";

/** What a render needs besides the state. */
export interface View {
  /** The launch workspace, shown in the title. */
  workspace: string;
  /** The selected choice's preview; undefined while it is being evaluated. */
  preview: Preview | undefined;
  /** Terminal columns. */
  columns: number;
  /** Use ANSI colours. */
  colors: boolean;
  /** Spinner frame (any counter). */
  frame: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const PICKER_ROWS = 12;
const MAX_ERROR_CHARS = 700;

/** Form hint line. */
export const FORM_HINT =
  "enter create · tab/↓ next profile · shift-tab/↑ prev · / or ctrl-p pick · esc cancel";
/** Hint added when the selected profile's project is not trusted. */
const TRUST_HINT =
  "ctrl-t trust this project (review its .insomnia/ first: its profiles then run as you)";
/** Picker hint line. */
export const PICKER_HINT = "type to filter · ↑/↓ move · enter choose · esc back";

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

/**
 * The dialog's screen: one line once created; else the top (title, name or filter) and the bottom
 * (profile row and preview, or the picker's list; hints; message), which inquirer shows below the
 * cursor.
 */
export function render(state: DialogState, view: View): string | [string, string] {
  const c = paint(view.colors);
  const { choices, name, message } = state;
  const width = Math.max(40, view.columns - 1);
  const title = `${c.bold("New Pod")}  ${
    c.dim(clip(`workspace ${oneLine(view.workspace)}`, width - 9))
  }`;
  const spin = c.yellow(SPINNER[view.frame % SPINNER.length]);
  const block = (text: string, first: string, indent: string, color: (t: string) => string) =>
    wrapIndented(clip(oneLine(text), MAX_ERROR_CHARS), width, first, indent).map(color);
  const messageLines = message
    ? block(
      message.text,
      "  ",
      "  ",
      message.tone === "error" ? c.red : message.tone === "warn" ? c.yellow : c.dim,
    )
    : [];

  if (state.status === "done") return `${c.green("✔")} ${c.bold("New Pod")} ${name}`;

  if (state.mode === "picker") {
    const matches = filterChoices(choices, state.query);
    const current = matches.includes(state.highlight) ? state.highlight : matches[0];
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
    }\n${clip(`  filter: ${state.query}`, width)}`;
    const hint = c.dim(clip(`  ${PICKER_HINT}`, width));
    return [content, [...rows, hint, ...messageLines].join("\n")];
  }

  const selected = choices[state.index];
  const preview = view.preview;
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
      const [first, ...more] = wrapIndented(oneLine(v), width, indent, indent);
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
  if (selectedUntrusted(state)) lines.push(c.yellow(clip(`  ${TRUST_HINT}`, width)));
  if (state.status === "creating") lines.push(`  ${spin} creating Pod ${name}…`);
  else if (state.status === "trusting") lines.push(`  ${spin} trusting the project…`);
  else lines.push(...messageLines);
  return [`${title}\n  name: ${name}`, lines.join("\n")];
}
