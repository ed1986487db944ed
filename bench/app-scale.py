#!/usr/bin/env python3
"""The app at a large plan's size (issue 13): the release build in its real webview under
Xvfb (scripts/e2e-app.py's App), pointed at the scale dataset through OUTREACH_DATABASE_URL.
Each change is made as a person makes it (pointer and text events on the canvas and its
text agent) and timed in the page with performance.now(), from the event to the frame whose
title (mirrored by the view layer) says every answer is on screen again; all of one kind run in
one WebDriver command (WebKitWebDriver stops answering when asked many times while the page is
busy). Prints p50, p95 and worst of each, then the PSS of all the app's processes after every
page was visited.

    python3 bench/app-scale.py path/to/outreach-dashboard postgres://…/outreach_scale [changes]
"""

import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("e2e", os.path.join(HERE, "..", "scripts", "e2e-app.py"))
e2e = importlib.util.module_from_spec(spec)
spec.loader.exec_module(e2e)

# Where the widgets are at 1280 by 800 (page pixels), as the views suite lays them out; the
# campaigns table's columns have fixed widths, so its headers are where they are on any data.
AT = dict(e2e.AT)
AT.update({
    "Last 30 days": (140, 47),
    "Last 90 days": (230, 47),
    "campaign picker": (694, 74),
    "Find": (815, 102),
    "Campaign header": (43, 159),
    "Start header": (587, 159),
    "Reach header": (683, 159),
    "Impressions header": (824, 159),
    "Engagement rate header": (963, 159),
    "Conversion rate header": (1083, 159),
    "Opt-out rate header": (1198, 159),
})
ROW_TOP, ROW_STEP = 189, 28
# The table's scroll bar (egui's, floating at the table's right edge): its track, and the
# handle's length at ten thousand rows (egui's minimum).
TRACK_X, TRACK_TOP, TRACK_BOTTOM, HANDLE = 1267, 176, 766, 12
ROWS_SEEN = (TRACK_BOTTOM - TRACK_TOP) / ROW_STEP


def track_y(row, total):
    """Where a click in the scroll bar's track puts `row` at the table's top: egui centres the
    handle on the click, and the handle's travel spans the list's scroll range."""
    share = min(1.0, row / max(1.0, total - ROWS_SEEN))
    return round(TRACK_TOP + HANDLE / 2 + share * (TRACK_BOTTOM - TRACK_TOP - HANDLE))

# In the page: `count` changes one after another, each an action (`act(i)`, JavaScript of the
# change's number written in for @BODY@) and the wait for the title to go to "(loading)" and
# back; answers each change's milliseconds, or a message.
TIMED = """
const [count, pause, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const canvas = document.getElementById('dashboard');
const titled = document.querySelector('title');
function pointer(x, y) {
  const at = {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0,
              pointerId: 1, pointerType: 'mouse', isPrimary: true};
  canvas.dispatchEvent(new MouseEvent('mousemove', at));
  canvas.dispatchEvent(new PointerEvent('pointerdown', {...at, buttons: 1}));
  canvas.dispatchEvent(new PointerEvent('pointerup', {...at, buttons: 0}));
}
function press(x, y, down) {
  const at = {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0,
              pointerId: 1, pointerType: 'mouse', isPrimary: true};
  canvas.dispatchEvent(new PointerEvent('pointermove', {...at, buttons: down ? 0 : 1}));
  canvas.dispatchEvent(new PointerEvent(down ? 'pointerdown' : 'pointerup', {...at, buttons: down ? 1 : 0}));
}
function type(text) {
  const agent = document.querySelector('input');
  agent.value = (agent.value || '') + text;
  agent.dispatchEvent(new InputEvent('input', {data: text, inputType: 'insertText', bubbles: true}));
}
// The page's CSP allows no eval: the change and its preparation are written into this script.
function act(i, pointer, type, press) { @BODY@ }
function prepare(i, pointer, type, press) { @BEFORE@ }
const before = @HAS_BEFORE@;
function change(i) {
  return new Promise((resolve, reject) => {
    let loading = false;
    const started = performance.now();
    const watch = new MutationObserver(() => {
      if (document.title.includes('(failed)')) {
        watch.disconnect();
        reject('an answer failed: ' + document.title);
      } else if (document.title.includes('(loading)')) {
        loading = true;
      } else if (loading) {
        watch.disconnect();
        resolve(performance.now() - started);
      }
    });
    watch.observe(titled, {childList: true, subtree: true, characterData: true});
    act(i, pointer, type, press);
    setTimeout(() => { watch.disconnect(); reject('no load and end of load in the title in 20 s'); }, 20000);
  });
}
(async () => {
  const times = [];
  for (let i = 0; i < count; i++) {
    if (before) {
      // Untimed: what puts the page where the change starts from, then a rest.
      prepare(i, pointer, type, press);
      await new Promise(r => setTimeout(r, pause));
      for (let n = 0; n < 200 && document.title.includes('(loading)'); n++) {
        await new Promise(r => setTimeout(r, 50));
      }
    }
    times.push(await change(i));
    await new Promise(r => setTimeout(r, pause));
  }
  return times;
})().then(done, error => done(String(error)));
"""


def timed(app, what, body, count, pause_ms=600, before=""):
    """Runs `count` changes made by the JavaScript `body` (of `i`, `pointer`, `type`, `press`),
    each after the untimed `before`, and prints their figures."""
    script = (TIMED.replace("@BODY@", body).replace("@BEFORE@", before)
              .replace("@HAS_BEFORE@", "true" if before else "false"))
    answer = app.script(script, [count, pause_ms])
    if not isinstance(answer, list):
        e2e.fail(f"{what}: {answer}")
    times = sorted(answer)
    pick = lambda share: times[round((len(times) - 1) * share)]
    line = f"{what} ({len(times)}): p50 {pick(0.5):.0f} ms, p95 {pick(0.95):.0f} ms, worst {times[-1]:.0f} ms"
    print(line, flush=True)
    return line


def settle(app, page):
    """Waits for `page` with every answer."""
    app.wait_for_page(page, 120)


def click(app, name, page):
    app.click(*AT[name])
    time.sleep(0.3)
    settle(app, page)


def pss_of_the_app():
    """PSS of the app and every process below it (WebKit's), in MB."""
    found = subprocess.run(["pgrep", "-f", "outreach-dashboard"], capture_output=True, text=True).stdout.split()
    pids = [p for p in found if os.path.exists(f"/proc/{p}/exe") and os.readlink(f"/proc/{p}/exe").endswith("outreach-dashboard")]
    tree, seen = list(pids), set()
    while tree:
        pid = tree.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                tree.extend(open(f"/proc/{pid}/task/{task}/children").read().split())
            except OSError:
                pass
    total, parts = 0, []
    for pid in sorted(seen):
        try:
            kb = next(int(l.split()[1]) for l in open(f"/proc/{pid}/smaps_rollup") if l.startswith("Pss:"))
            name = open(f"/proc/{pid}/comm").read().strip()
        except (OSError, StopIteration):
            continue
        total += kb
        parts.append(f"{name} {kb // 1024} MB")
    return total / 1024, parts


def jump_rows(count, total):
    """Row 5,000, then rows spread over the list whose pages (of 100 rows) no earlier jump
    showed, so each jump asks for rows not read yet."""
    rows, seen, row = [], set(), 5000
    while len(rows) < count:
        pages = set(range(row // 100, (row + int(ROWS_SEEN) + 1) // 100 + 1))
        if not pages & seen:
            rows.append(row)
            seen |= pages
        row = (row + 2953) % max(1, total - int(ROWS_SEEN) - 1)
        if len(seen) * 100 >= total:
            e2e.fail(f"{total} campaigns are too few for {count} jumps to rows not read yet")
    return rows


def campaigns_in_range(url):
    """How many campaigns the two years' list holds (every campaign of the dataset)."""
    answer = subprocess.run(["psql", url, "-Atc", "SELECT count(*) FROM campaigns"],
                            capture_output=True, text=True, check=True)
    return int(answer.stdout.strip())


def main():
    if len(sys.argv) not in (3, 4):
        e2e.fail("usage: app-scale.py path/to/outreach-dashboard postgres://…/outreach_scale [changes]")
    app_path, url = os.path.abspath(sys.argv[1]), sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) == 4 else 20
    # Two years: every campaign of the dataset, so the table has a row 5,000.
    two_years = 'range = { start = "2024-11-28", end = "2026-11-27" }\n'
    with e2e.App(app_path, database=url, settings=two_years) as app:
        settle(app, "Overview")
        # A run of changes is one script: WebDriver's default 30 s for a script is too short.
        app.call("POST", "/timeouts", {"script": 110_000})
        click(app, "Campaigns", "Campaigns")
        # Jumps as a person makes them, by a click in the scroll bar's track (egui moves the
        # list at once; a long wheel scroll glides through every page on the way): row 5,000,
        # then rows spread over the list, each in pages not read yet.
        total = campaigns_in_range(url)
        rows = jump_rows(count, total)
        ys = [track_y(row, total) for row in rows]
        # Untimed: the previous press let go, and the pointer over the bar (which widens it).
        lines = [timed(app, "campaigns table: a jump to row 5,000 and on (the scroll bar) to rows on screen",
                       f"press({TRACK_X}, {json.dumps(ys)}[i], true);", count,
                       before=f"const ys = {json.dumps(ys)}; if (i > 0) press({TRACK_X}, ys[i - 1], false);"
                              f"canvas.dispatchEvent(new PointerEvent('pointermove', {{clientX: {TRACK_X}, clientY: ys[i], bubbles: true,"
                              f" pointerId: 1, pointerType: 'mouse', isPrimary: true}}));")]
        app.call("POST", "/execute/sync", {  # lets go of the last press
            "script": "document.getElementById('dashboard').dispatchEvent(new PointerEvent('pointerup',"
                      " {clientX: arguments[0], clientY: arguments[1], bubbles: true, button: 0, buttons: 0,"
                      " pointerId: 1, pointerType: 'mouse', isPrimary: true}));",
            "args": [TRACK_X, ys[-1]]})
        click(app, "Last 30 days", "Campaigns")
        chips = f"pointer(...(i % 2 ? {list(AT['All channels'])} : {list(AT['SMS'])}));"
        lines.append(timed(app, "campaigns page: first rows after a filter change (channel chip)", chips, count))
        headers = [AT[f"{name} header"] for name in
                   ["Reach", "Campaign", "Start", "Impressions", "Engagement rate", "Conversion rate", "Opt-out rate"]]
        lines.append(timed(app, "campaigns page: first rows after a sort (each column twice, reach first)",
                           f"const h = {json.dumps(headers)}; pointer(...h[Math.floor(i / 2) % h.length]);",
                           max(count, 2 * len(headers))))
        lines.append(timed(app, "campaigns page: first rows after a sort by reach (either way)",
                           f"pointer(...{list(AT['Reach header'])});", count))
        click(app, "Campaign header", "Campaigns")
        lines.append(timed(app, "a campaign opened from the table to its page with every answer",
                           f"pointer(117, {ROW_TOP} + {ROW_STEP} * (i % 15));", count,
                           before=f"pointer(...{list(AT['Campaigns'])}); pointer({TRACK_X}, {TRACK_TOP + 1});"))
        click(app, "Segments", "Segments")
        click(app, "Overview", "Overview")
        lines.append(timed(app, "overview filter change (channel chip), 30 days", chips, count))
        click(app, "Last 90 days", "Overview")
        lines.append(timed(app, "overview filter change (channel chip), 90 days", chips, count))
        app.click(*AT["campaign picker"])
        time.sleep(0.5)
        app.click(*AT["Find"])
        time.sleep(0.5)
        lines.append(timed(app, "a keystroke in the campaign picker to its matches",
                           # No spaces: a trailing space is trimmed, so it asks nothing new.
                           "type('reminder(email)#00217xyz'.charAt(i % 24));", count, 300))
        app.click(30, 760)  # closes the picker
        time.sleep(15)  # at rest, every page visited
        pss, parts = pss_of_the_app()
        print(f"idle PSS of all the app's processes after visiting every page: {pss:.0f} MB ({', '.join(parts)})")


if __name__ == "__main__":
    main()
