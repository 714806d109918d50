/**
 * The New Pod dialog without a terminal: the pure reducer (`reduce`, `created`, `createFailed`)
 * and the pure `render`. The tmux tests (tests/e2e/new_pod_tmux_test.ts) drive the real prompt.
 */
import assert from "node:assert/strict";
import { buildChoices, type ChoiceEntry } from "../src/tui/choices.ts";
import {
  created,
  createFailed,
  type DialogState,
  initialState,
  type KeyPress,
  projectTrusted,
  reduce,
  trustFailed,
} from "../src/tui/dialog_state.ts";
import { FORM_HINT, PICKER_HINT, render, type View } from "../src/tui/dialog_view.ts";
import type { Preview } from "../src/tui/preview.ts";
import { displayWidth } from "../src/terminal_text.ts";

const entry = (qualified: string, description: string, isDefault = false): ChoiceEntry => {
  const [source, name] = qualified.split(":") as [ChoiceEntry["source"], string];
  return { qualified, source, name, isDefault, description };
};

// 0: manifest cascade, 1: user:alpha (default), 2: user:beta, 3: project:coder
const CHOICES = buildChoices([
  entry("user:alpha", "Fixture alpha", true),
  entry("user:beta", "Fixture beta"),
  entry("project:coder", "Project coder"),
]);

function open(name = "demo-app", message?: string): DialogState {
  return initialState({
    choices: CHOICES,
    initialIndex: 1,
    initialName: name,
    initialMessage: message,
  });
}

/** A key that readline leaves the line of `state` unchanged for (a command key). */
function key(state: DialogState, name: string, mods: Partial<KeyPress> = {}): KeyPress {
  return { name, line: state.field.line, cursor: state.field.cursor, ...mods };
}

/** Typing: readline's line and cursor after the keys. */
function typed(line: string, cursor = line.length): KeyPress {
  return { name: line.at(-1), sequence: line.at(-1), line, cursor };
}

function press(state: DialogState, ...keys: Array<string | KeyPress>): DialogState {
  return keys.reduce(
    (s: DialogState, k) => reduce(s, typeof k === "string" ? key(s, k) : k),
    state,
  );
}

const OK: Preview = {
  status: "ok",
  rows: [["model", "anthropic/claude-sonnet-4-6"], ["auth", "secret_ref llm.default"]],
  warnings: [],
};
const VIEW: View = { workspace: "/w/demo app", preview: OK, columns: 100, colors: false, frame: 0 };

Deno.test("dialog: the initial state puts the name into readline and shows the message as a warning", () => {
  const state = open("demo-app", "--profile x: no such profile");
  assert.deepEqual(state.readline, { line: "demo-app", cursor: 8 });
  assert.deepEqual(state.message, { tone: "warn", text: "--profile x: no such profile" });
  assert.equal(state.mode, "form");
  assert.equal(state.index, 1);
});

Deno.test("dialog: typing keeps only Pod-name characters; an edit clears an error, not a warning", () => {
  const edited = reduce(open("", "a warning"), typed("tui pod!", 8));
  assert.equal(edited.name, "tuipod");
  assert.deepEqual(edited.readline, { line: "tuipod", cursor: 6 });
  assert.equal(edited.message?.tone, "warn");
  const refused = press(open(""), "return");
  assert.equal(refused.message?.tone, "error");
  assert.equal(refused.status, "idle");
  assert.equal(reduce(refused, typed("x")).message, undefined);
  // an escape sequence readline inserted as text is taken back out
  const noisy = reduce(open("ab"), typed("ab\x1b[Z"));
  assert.equal(noisy.name, "ab");
  assert.deepEqual(noisy.readline, { line: "ab", cursor: 2 });
});

Deno.test("dialog: tab and down select the next choice, shift-tab and up the previous, wrapping", () => {
  const state = open("demo-app", "a warning");
  assert.equal(press(state, "tab").index, 2);
  assert.equal(press(state, "down", "down").index, 3);
  assert.equal(press(state, "down", "down", "down").index, 0);
  assert.equal(press(state, { ...key(state, "tab"), shift: true }).index, 0);
  assert.equal(press(state, "up", "up").index, 3);
  const moved = press(state, "tab");
  assert.equal(moved.message, undefined, "a new selection clears the message");
  assert.deepEqual(moved.readline, { line: "demo-app", cursor: 8 }, "the field is restored");
});

Deno.test("dialog: the picker filters as you type and Enter chooses the highlighted match", () => {
  const picker = press(open(), { ...key(open(), "/"), sequence: "/" });
  assert.equal(picker.mode, "picker");
  assert.equal(picker.query, "");
  assert.equal(picker.highlight, 1);
  assert.deepEqual(picker.readline, { line: "", cursor: 0 });
  const filtered = reduce(picker, typed("fixture"));
  assert.equal(filtered.query, "fixture");
  const down = press(filtered, "down");
  assert.equal(down.highlight, 2);
  assert.equal(press(down, "down").highlight, 1, "moving wraps within the matches");
  const chosen = press(down, "return");
  assert.equal(chosen.mode, "form");
  assert.equal(chosen.index, 2);
  assert.deepEqual(chosen.readline, { line: "demo-app", cursor: 8 });
});

Deno.test("dialog: Esc leaves the picker unchanged; Enter on no match says so", () => {
  const picker = press(open(), { ...key(open(), "p"), ctrl: true });
  assert.equal(picker.mode, "picker");
  const back = press(reduce(picker, typed("beta")), "escape");
  assert.equal(back.mode, "form");
  assert.equal(back.index, 1);
  const none = press(reduce(picker, typed("zzz")), "return");
  assert.equal(none.mode, "picker");
  assert.deepEqual(none.message, { tone: "error", text: 'nothing matches "zzz"' });
});

Deno.test("dialog: Esc cancels; Ctrl-D cancels only on an empty field", () => {
  assert.equal(press(open(), "escape").cancelled, true);
  assert.equal(press(open(), { ...key(open(), "d"), ctrl: true }).cancelled, false);
  assert.equal(press(open(""), { ...key(open(""), "d"), ctrl: true }).cancelled, true);
});

Deno.test("dialog: Enter with a valid name starts creating; keys then change nothing", () => {
  const creating = press(open("demo-app", "a warning"), "return");
  assert.equal(creating.status, "creating");
  assert.equal(creating.message, undefined);
  const during = press(creating, "tab", typed("demo-appx"));
  assert.equal(during.index, creating.index);
  assert.equal(during.name, "demo-app");
  assert.deepEqual(during.readline, { line: "demo-app", cursor: 8 });
  assert.equal(created(during).status, "done");
});

Deno.test("dialog: a failed create goes back to editing with the error", () => {
  const creating = press(open(), "return");
  const taken = createFailed(creating, { code: "pod_exists", message: "taken." }, OK);
  assert.equal(taken.status, "idle");
  assert.deepEqual(taken.readline, { line: "demo-app", cursor: 8 });
  assert.deepEqual(taken.message, {
    tone: "error",
    text: "error[pod_exists]: taken. Edit the name and press Enter again.",
  });
  const shown: Preview = { status: "error", code: "nix_eval_failed", message: "boom" };
  const same = createFailed(creating, { code: "nix_eval_failed", message: "boom" }, shown);
  assert.equal(
    same.message?.text,
    "cannot create the Pod: error[nix_eval_failed] (see above); pick another profile.",
  );
});

Deno.test("render: the form shows the name, the profile row, the preview, the hint", () => {
  const [top, bottom] = render(open(), VIEW) as [string, string];
  assert.equal(top, "New Pod  workspace /w/demo app\n  name: demo-app");
  const lines = bottom.split("\n");
  assert.equal(lines[0], "  profile: user:alpha (default) — Fixture alpha");
  assert.equal(lines[1], "    model: anthropic/claude-sonnet-4-6");
  assert.equal(lines[2], "    auth:  secret_ref llm.default");
  assert.equal(lines[3], `  ${FORM_HINT}`);
  assert.ok(!bottom.includes("\x1b["), "no colours when they are off");
  const colored = render(open(), { ...VIEW, colors: true }) as [string, string];
  assert.ok(colored[0].startsWith("\x1b[1mNew Pod\x1b[0m"));
});

Deno.test("render: a pending preview spins, an error preview is shown in place", () => {
  const [, pending] = render(press(open(), "tab"), { ...VIEW, preview: undefined, frame: 1 }) as [
    string,
    string,
  ];
  assert.ok(pending.includes("    ⠙ evaluating user:beta…"), pending);
  const failed: Preview = {
    status: "error",
    code: "nix_eval_failed",
    message: "fixture is broken",
  };
  const [, error] = render(open(), { ...VIEW, preview: failed }) as [string, string];
  assert.ok(error.includes("    ✖ error[nix_eval_failed]: fixture is broken"), error);
  const [, creating] = render(press(open(), "return"), VIEW) as [string, string];
  assert.ok(creating.endsWith("⠋ creating Pod demo-app…"), creating);
});

Deno.test("render: the picker lists the matches with the highlight; done is one line", () => {
  const picker = reduce(press(open(), { ...key(open(), "/"), sequence: "/" }), typed("fixture"));
  const [top, bottom] = render(picker, VIEW) as [string, string];
  assert.ok(top.endsWith("pick a profile (2 of 4)\n  filter: fixture"), top);
  assert.deepEqual(bottom.split("\n"), [
    "  ❯ user:alpha (default) — Fixture alpha",
    "    user:beta — Fixture beta",
    `  ${PICKER_HINT}`,
  ]);
  assert.equal(render(created(open()), VIEW), "✔ New Pod demo-app");
});

Deno.test("dialog: Ctrl-T on an untrusted project profile asks to trust it; trusted, the marks go", () => {
  const choices = buildChoices([
    entry("user:alpha", "Fixture alpha", true),
    { ...entry("project:team", "Team"), untrusted: true },
  ]);
  const state = initialState({ choices, initialIndex: 1, initialName: "demo" });
  // Ctrl-T on a profile that needs no trust only says so.
  const plain = reduce(state, key(state, "t", { ctrl: true }));
  assert.equal(plain.status, "idle");
  assert.deepEqual(plain.message, { tone: "info", text: "this profile needs no trust" });

  const onTeam = press(state, "tab");
  assert.equal(onTeam.choices[2].label, "project:team [untrusted] — Team");
  const [, bottom] = render(onTeam, { ...VIEW, preview: undefined }) as [string, string];
  assert.match(bottom, /ctrl-t trust this project/);
  const asking = reduce(onTeam, key(onTeam, "t", { ctrl: true }));
  assert.equal(asking.status, "trusting");
  assert.equal(press(asking, "return").status, "trusting", "keys wait for the trust");
  const [, waiting] = render(asking, { ...VIEW, preview: undefined }) as [string, string];
  assert.match(waiting, /trusting the project/);

  const done = projectTrusted(asking, "/w/repo");
  assert.equal(done.status, "idle");
  assert.equal(done.choices[2].label, "project:team — Team");
  assert.deepEqual(done.message, { tone: "info", text: "trusted project /w/repo as it is now" });
  const [, after] = render(done, VIEW) as [string, string];
  assert.doesNotMatch(after, /ctrl-t/);

  const failed = trustFailed(asking, { code: "store_io", message: "disk full" });
  assert.equal(failed.status, "idle");
  assert.deepEqual(failed.message, { tone: "error", text: "error[store_io]: disk full" });
});

Deno.test("render: a Japanese description never overflows a narrow terminal, in the form or the picker", () => {
  const choices = buildChoices([
    entry(
      "user:jp",
      "日本語のプロファイル: とても長い説明文がここに続きます。画面の幅を超えても折り返します",
      true,
    ),
    entry("user:beta", "Fixture beta"),
  ]);
  const state = initialState({ choices, initialIndex: 1, initialName: "demo" });
  for (const screen of [state, reduce(state, key(state, "p", { ctrl: true }))]) {
    const [top, bottom] = render(screen, { ...VIEW, columns: 40 }) as [string, string];
    for (const line of `${top}\n${bottom}`.split("\n")) {
      assert.ok(displayWidth(line) <= 40, `${displayWidth(line)} columns: ${line}`);
    }
  }
});
