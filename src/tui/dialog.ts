/**
 * The New Pod dialog: ONE `@inquirer/core` prompt with two modes.
 *
 * - **form**: a title, the name field (edited by readline itself, so the usual editing keys work),
 *   the profile row, a preview of the selected profile (evaluated in the background, spinner while
 *   pending), a hint line and a message line;
 * - **picker** (`/` or Ctrl-P): a filter field and the list of every choice, filtered as you type.
 *
 * The prompt never evaluates or writes by itself: previews come from a {@link PreviewCache}
 * and Enter calls `config.create`, so the caller decides what "create" means (the create use
 * case). It only connects the terminal to the pure halves: each key goes through `reduce`
 * (`dialog_state.ts`), the screen comes from `render` (`dialog_view.ts`). Inquirer owns raw mode,
 * the cursor and restoring the terminal.
 * @module
 */
import process from "node:process";
import {
  createPrompt,
  type KeypressEvent,
  useEffect,
  useKeypress,
  useRef,
  useState,
} from "npm:@inquirer/core@12.1.0";
import type { Choice } from "./choices.ts";
import {
  created,
  createFailed,
  type DialogState,
  initialState,
  projectTrusted,
  reduce,
  trustFailed,
} from "./dialog_state.ts";
import { render } from "./dialog_view.ts";
import type { PreviewCache } from "./preview.ts";

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
  /** Trusts the project of `choice` (Ctrl-T); resolves to its root, or the error to show. */
  trust?(choice: Choice): Promise<CreateOutcome<string>>;
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

/** Creates the prompt function (call it with the config and inquirer's context). */
export function createDialog<T>() {
  return createPrompt<DialogResult<T>, DialogConfig<T>>((config, done) => {
    const { previews } = config;
    const [state, setState] = useState<DialogState>(() => initialState(config));
    // The newest state, also for the create's outcome, which arrives after later renders.
    const latest = useRef(state);
    latest.current = state;
    const [settledKey, setSettledKey] = useState<string | undefined>(undefined);
    const [, setTick] = useState(0);
    const [frame, setFrame] = useState(0);

    const selected = state.choices[state.index];
    const preview = previews.get(selected.key);

    /** Makes `next` the state, writing its `readline` into readline's line buffer. */
    const update = (rl: unknown, next: DialogState) => {
      if (next.readline) {
        const line = rl as LineState;
        line.line = next.readline.line;
        line.cursor = next.readline.cursor;
      }
      latest.current = next;
      setState(next);
    };

    // Put the initial name into readline's line buffer (so readline edits it).
    useEffect((rl) => {
      update(rl, latest.current);
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

    const spinning = state.status === "creating" || state.status === "trusting" ||
      (state.mode === "form" && preview === undefined);
    useEffect(() => {
      if (!spinning) return;
      const timer = setInterval(() => setFrame((f) => f + 1), 80);
      return () => clearInterval(timer);
    }, [spinning]);

    const startCreate = (rl: unknown, submitted: DialogState) => {
      const choice = submitted.choices[submitted.index];
      config.create(choice, submitted.name).then((outcome) => {
        if (outcome.ok) {
          update(rl, created(latest.current));
          done({ kind: "created", value: outcome.value });
          return;
        }
        update(rl, createFailed(latest.current, outcome, previews.get(choice.key)));
      });
    };

    const startTrust = (rl: unknown, asked: DialogState) => {
      const choice = asked.choices[asked.index];
      const trust = config.trust?.(choice) ??
        Promise.resolve({ ok: false as const, code: "usage", message: "cannot trust here" });
      trust.then((outcome) => {
        if (!outcome.ok) return update(rl, trustFailed(latest.current, outcome));
        previews.clear();
        update(rl, projectTrusted(latest.current, outcome.value));
        previews.ensure(choice.key).then(() => setTick((t) => t + 1));
      });
    };

    useKeypress((key, rl) => {
      const line = rl as unknown as LineState;
      // Readline already applied the key to its line; Enter cleared it and added it to history.
      if (line.history) line.history.length = 0;
      const before = latest.current;
      const next = reduce(before, {
        name: key.name,
        ctrl: key.ctrl,
        shift: key.shift,
        sequence: (key as KeypressEvent & { sequence?: string }).sequence,
        line: line.line,
        cursor: line.cursor,
      });
      update(rl, next);
      if (next.cancelled) done({ kind: "cancelled" });
      else if (next.status === "creating" && before.status === "idle") startCreate(rl, next);
      else if (next.status === "trusting" && before.status === "idle") startTrust(rl, next);
    });

    return render(state, {
      workspace: config.workspace,
      preview,
      columns: process.stderr.columns || 80,
      colors: config.colors,
      frame,
    });
  });
}

/** True when ANSI colours should be used on stderr. */
export function colorsEnabled(env: Record<string, string | undefined>): boolean {
  return !env.NO_COLOR && Boolean(process.stderr.isTTY) && env.TERM !== "dumb";
}
