#!/usr/bin/env python3
"""End-to-end test of the real desktop app: the shell binary (argv[1]) in its real webview
(WebKitGTK) under Xvfb, with a fresh home (so it builds and opens the demo database), driven
through WebDriver: tauri-driver in front of Debian's WebKitWebDriver, spoken to with the W3C
WebDriver protocol over HTTP (Python's standard library; no client to install).

It passes when:
- the page's title (which the view layer mirrors from the app) says the overview has every
  answer: the first full frame was drawn over the IPC's answers; a title that says an answer
  failed ("(failed)") fails the run at once, on every page;
- every page is visited as a person would, by clicks on the canvas: the trend's weekly
  interval (the shell's log shows the week's trend answered), the SMS chip (saved in
  settings.toml), the campaigns page, a campaign opened from its first row, the segments
  page; each title says the page has every answer;
- started again in the same home, the app opens on the remembered filter (its first summary
  asks for SMS);
- the IPC answers a JavaScript call of the summary with the figures the `outreach` command
  (argv[2]) prints for the same filter on the same demo database, and the segment drill-down
  it returns has no count from 1 to 10;
- an export asked over the IPC opens the native save dialog (GTK's, found and typed into with
  xdotool as a person would), writes the CSV where the dialog said, byte for byte the file
  `outreach export csv` writes for the same request, and remembers its folder; a second
  export's dialog, cancelled with Escape, writes nothing and answers "cancelled";
- a screenshot of the window is a drawn page (many colours), not a blank one; it is kept at
  $E2E_SHOT (default: e2e-app.png under CARGO_TARGET_DIR);
- pointed at a PostgreSQL dashboard database (loaded by `outreach-etl`, argv[3]) that trusts a
  real OpenID provider on loopback (tests/oidc, npm's oidc-provider), with a real Secret
  Service (GNOME Keyring on a bus of its own): the app opens on its sign-in screen; a click on
  Sign in opens the browser (tests/oidc/browser.py through BROWSER, which signs in as a viewer
  of the Email channel), whose page says the sign-in finished; the app comes back to the
  overview with every answer, signed in as that person with the viewer's role, and its summary
  is an admin's summary of the Email channel; the keychain holds the refresh token until the
  sign-out, and nothing of it after; the clicks on Export… and CSV… that open the demo's save
  dialog open none for the viewer, and an export asked over the IPC is refused as forbidden.

Exit status 0 on success, 1 with a message that says what failed.
"""

import base64
import datetime
import re
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def fail(message):
    print(f"e2e: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, timeout=120):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"{}").get("value")
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace")
        raise RuntimeError(f"WebDriver {method} {path}: HTTP {err.code}: {detail}") from None


def wait_for(what, check, seconds):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, RuntimeError) as err:
            last = err
        time.sleep(0.25)
    fail(f"in {seconds} s, never saw {what} (last: {last})")


class App:
    """The app under Xvfb with a fresh home, and a WebDriver session on it (a context manager).
    `base` and `session` address the session; `home` is the app's home directory."""

    def __init__(self, app, work=None, database=None, settings=None, config=None, env=None):
        self.app = app
        # A config.toml to start with, and variables the app gets (a keychain's bus, BROWSER).
        self.config = config
        self.extra_env = env or {}
        # The database the app reads (none: the demo) and a settings.toml to start with.
        self.database = database
        self.settings = settings
        self.processes = []
        self.session = None
        self.base = None
        # A second App on the same `work` starts in the first one's home (kept).
        self.keep = work is not None
        self.work = work or tempfile.mkdtemp(prefix="outreach-e2e-")
        self.home = os.path.join(self.work, "home")

    def __enter__(self):
        driver_bin = shutil.which("tauri-driver") or os.path.expanduser("~/.cargo/bin/tauri-driver")
        native = shutil.which("WebKitWebDriver")
        if not os.path.exists(driver_bin) or not native:
            fail("tauri-driver or WebKitWebDriver is missing: run scripts/setup.sh")
        os.makedirs(self.home, exist_ok=True)
        self.env = dict(
            os.environ,
            HOME=self.home,
            XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
            XDG_DATA_HOME=os.path.join(self.home, ".local", "share"),
            XDG_RUNTIME_DIR=self.work,
            RUST_LOG="info,outreach_dashboard=debug",
        )
        # No database configured: the app builds and opens the demo database.
        self.env.pop("OUTREACH_DATABASE_URL", None)
        if self.database:
            self.env["OUTREACH_DATABASE_URL"] = self.database
        self.env.update(self.extra_env)
        if self.config:
            folder = os.path.join(self.env["XDG_CONFIG_HOME"], "outreach-dashboard")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "config.toml"), "w") as f:
                f.write(self.config)
        if self.settings:
            folder = os.path.join(self.env["XDG_CONFIG_HOME"], "outreach-dashboard")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "settings.toml"), "w") as f:
                f.write(self.settings)
        display = 99
        while os.path.exists(f"/tmp/.X11-unix/X{display}") or os.path.exists(f"/tmp/.X{display}-lock"):
            display += 1
        self.env["DISPLAY"] = f":{display}"
        self.processes.append(
            subprocess.Popen(
                ["Xvfb", f":{display}", "-screen", "0", "1280x800x24"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for("Xvfb", lambda: os.path.exists(f"/tmp/.X11-unix/X{display}"), 10)
        port, native_port = free_port(), free_port()
        driver_log = open(os.path.join(self.work, "tauri-driver.log"), "w")
        self.processes.append(
            subprocess.Popen(
                [driver_bin, "--port", str(port), "--native-port", str(native_port),
                 "--native-driver", native],
                env=self.env,
                stdout=driver_log,
                stderr=subprocess.STDOUT,
            )
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_for("tauri-driver", lambda: request(self.base, "GET", "/status", timeout=2) is not None, 20)
        capabilities = {
            "capabilities": {
                "alwaysMatch": {"browserName": "wry", "tauri:options": {"application": self.app}}
            }
        }
        self.session = request(self.base, "POST", "/session", capabilities)["sessionId"]
        return self

    def __exit__(self, kind, *_):
        log = os.path.join(self.work, "tauri-driver.log")
        if kind is not None and os.path.exists(log):
            # What the drivers said, for the failure's message.
            lines = [l for l in open(log, errors="replace") if not l.startswith("  ")]
            print("e2e: tauri-driver's log ends with:\n" + "".join(lines[-15:]), file=sys.stderr)
            if os.environ.get("E2E_KEEP"):
                kept = shutil.copy(log, os.path.join(tempfile.gettempdir(), "e2e-tauri-driver.log"))
                print(f"e2e: the whole log is kept at {kept}", file=sys.stderr)
        if self.session:
            try:
                self.call("DELETE", "", timeout=10)
            except (OSError, RuntimeError):
                pass
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def call(self, method, path, body=None, timeout=120):
        return request(self.base, method, f"/session/{self.session}{path}", body, timeout)

    def title(self):
        return self.call("GET", "/title")

    def script(self, script, args):
        """Runs `script` asynchronously in the page: it calls its last argument with the result."""
        return self.call("POST", "/execute/async", {"script": script, "args": args})

    def invoke(self, command, args):
        """A Tauri command called from JavaScript: {"ok": answer} or {"error": error}."""
        return self.script(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI__.core.invoke(arguments[0], arguments[1])"
            ".then(value => done({ok: value}), error => done({error: error}));",
            [command, args],
        )

    def wait_for_page(self, page, seconds=90):
        """Waits for `page` with every answer (the title the app mirrors); a failed answer
        fails the run at once."""
        def settled():
            title = self.title()
            if "(failed)" in title:
                said = [line for line in self.log().splitlines() if " ERROR " in line or " WARN " in line]
                fail(f"an answer failed on the page: the title says {title!r}; the shell's log says:\n"
                     + "\n".join(said[-10:]))
            return title == f"Outreach Dashboard · {page}" and title
        return wait_for(f"the {page} page with every answer in the title", settled, seconds)

    def wait_for_overview(self):
        """Waits for the overview with every answer."""
        return self.wait_for_page("Overview")

    def click(self, x, y):
        """A click on the canvas at page pixels (x, y): the pointer events a mouse gives it."""
        self.call("POST", "/execute/sync", {
            "script": "const [x, y] = arguments; const canvas = document.getElementById('dashboard');"
                      "const at = {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0,"
                      "            pointerId: 1, pointerType: 'mouse', isPrimary: true};"
                      "canvas.dispatchEvent(new MouseEvent('mousemove', at));"
                      "canvas.dispatchEvent(new PointerEvent('pointerdown', {...at, buttons: 1}));"
                      "canvas.dispatchEvent(new PointerEvent('pointerup', {...at, buttons: 0}));",
            "args": [x, y],
        })

    def log(self):
        """The shell's log so far."""
        path = os.path.join(self.home, ".local", "share", "outreach-dashboard", "logs", "outreach-dashboard.log")
        return open(path, errors="replace").read() if os.path.exists(path) else ""


# Where the widgets are at 1280 by 800 (page pixels), as the views suite lays them out.
AT = {
    "Overview": (236, 20),
    "Campaigns": (315, 20),
    "Segments": (396, 20),
    "SMS": (174, 74),
    "All channels": (56, 74),
    "Weekly": (270, 309),
    "first campaign": (117, 189),
    "Sign in": (640, 286),
    # On the overview with no campaign opened (its tab would move them).
    "Export…": (485, 20),
    "CSV…": (539, 48),
}


def export_by_clicks(a):
    """Clicks Export… then CSV… as a person would: the save dialog that opens, if one does
    (within 10 s), is cancelled with Escape. Whether a dialog opened."""
    a.click(*AT["Export…"])
    time.sleep(1)  # the menu opens on the next frame
    a.click(*AT["CSV…"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        window = find_dialog(a, "Export CSV")
        if window:
            keys(a, window, "key", "Escape")
            wait_for("the save dialog closed", lambda: not find_dialog(a, "Export CSV"), 10)
            return True
        time.sleep(0.25)
    return False


def visit_every_page(a):
    """Visits every page by clicks, as a person would, each to its title with every answer."""
    a.click(*AT["Weekly"])
    week = re.compile(r'trend\{[^\n]*interval=String\("week"\)[^\n]*return=')
    wait_for("the weekly trend answered over the IPC (the shell's log)", lambda: week.search(a.log()), 30)
    a.wait_for_overview()
    a.click(*AT["SMS"])
    settings = os.path.join(a.env["XDG_CONFIG_HOME"], "outreach-dashboard", "settings.toml")
    wait_for("the SMS chip remembered in settings.toml",
             lambda: os.path.exists(settings) and "SMS" in open(settings).read(), 30)
    a.wait_for_overview()
    for page, at in [("Campaigns", "Campaigns"), ("Campaign", "first campaign"), ("Segments", "Segments")]:
        a.click(*AT[at])
        a.wait_for_page(page, 60)
        print(f"e2e: the {page} page has every answer")


def same_counts(summary, expected, whose, theirs):
    """Fails unless the IPC's `summary` has the counts of the `outreach` command's `expected`."""
    for metric in ("reach", "impressions", "engaged", "conversions", "opt_outs"):
        got, want = summary["ok"]["current"][metric], expected["current"][metric]
        if got != want:
            fail(f"{whose} {metric} is {got}, {theirs} {want}")


def start_export(a, request):
    """Starts an export over the IPC without waiting (its dialog waits for a person)."""
    a.call("POST", "/execute/sync", {
        "script": "window.__exportOutcome = null;"
                  "window.__TAURI__.core.invoke('export', {request: arguments[0]})"
                  ".then(v => { window.__exportOutcome = {ok: v}; },"
                  "      e => { window.__exportOutcome = {error: e}; });",
        "args": [request],
    })


def export_outcome(a):
    return wait_for(
        "the export's answer",
        lambda: a.call("POST", "/execute/sync", {"script": "return window.__exportOutcome;", "args": []}),
        60,
    )


def find_dialog(a, title):
    """The X window id of the visible window titled `title`, if there is one."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                           capture_output=True, text=True, env=a.env)
    return found.stdout.split()[0] if found.returncode == 0 and found.stdout.split() else None


def dialog(a, title):
    """The X window id of the save dialog titled `title`, once it is on screen."""
    return wait_for(f"the save dialog {title!r}", lambda: find_dialog(a, title), 30)


def keys(a, window, *args):
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, env=a.env)
    time.sleep(0.3)  # GTK settles its focus before the keys
    subprocess.run(["xdotool", *args], check=True, env=a.env)


def export_through_the_dialog(a, cli, filt, demo):
    """Exports the overview's trend as CSV through the real save dialog, then cancels one."""
    folder = os.path.join(a.work, "shared drive, reports")
    os.makedirs(folder)
    target = os.path.join(folder, "overview.csv")
    request = {"format": "csv", "view": {"view": "overview", "metric": "opt_out_rate", "interval": "week"},
               "filter": filt, "paper": "a4", "byte_order_mark": False}
    start_export(a, request)
    window = dialog(a, "Export CSV")
    # The name field has the focus and the suggested name selected: a full path replaces it.
    keys(a, window, "key", "--clearmodifiers", "ctrl+a")
    keys(a, window, "type", "--delay", "20", target)
    keys(a, window, "key", "Return")
    outcome = export_outcome(a)
    if "ok" not in outcome or outcome["ok"].get("outcome") != "written":
        fail(f"the export through the dialog did not write: {outcome}")
    done = outcome["ok"]
    if done["path"] != target or not os.path.isfile(target):
        fail(f"the export went to {done['path']}, not where the dialog said ({target})")
    expected = os.path.join(a.work, "expected.csv")
    subprocess.run(
        [cli, "--database", demo, "export", "csv", "--out", expected, "--view", "overview",
         "--metric", "opt_out_rate", "--interval", "week",
         "--start", filt["range"]["start"], "--end", filt["range"]["end"]],
        check=True, capture_output=True, text=True, env=a.env,
    )
    if open(target, "rb").read() != open(expected, "rb").read():
        fail("the app's CSV differs from the outreach command's for the same request")
    import csv
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["period_start", "period_end", "channel", "opt_out_rate"] or len(rows) - 1 != done["rows_or_pages"]:
        fail(f"the CSV's header or rows do not match the export's answer: {rows[0]}, {len(rows) - 1} rows")
    remembered = open(os.path.join(a.env["XDG_CONFIG_HOME"], "outreach-dashboard", "exports.toml")).read()
    if folder not in remembered:
        fail(f"the export folder is not remembered: {remembered!r}")
    print(f"e2e: exported {done['rows_or_pages']} rows through the save dialog to {target!r}, "
          "the same bytes as `outreach export csv`; the folder is remembered")

    # Cancelled: Escape closes the dialog, nothing is written.
    before = sorted(os.listdir(folder))
    start_export(a, dict(request, format="pdf"))
    window = dialog(a, "Export PDF")
    keys(a, window, "key", "Escape")
    outcome = export_outcome(a)
    if outcome != {"ok": {"outcome": "cancelled"}}:
        fail(f"a cancelled dialog answered {outcome}")
    if sorted(os.listdir(folder)) != before:
        fail(f"a cancelled export left files: {sorted(os.listdir(folder))}")
    print("e2e: a cancelled save dialog wrote nothing and answered 'cancelled'")


def check(app, cli, shot):
    """One run of the checks; fails (exit 1) on the first that does not hold."""
    try:
        with App(app) as a:
            # The first full frame: the overview with every answer.
            started = time.monotonic()
            title = a.wait_for_overview()
            print(f"e2e: {title!r} after {time.monotonic() - started:.1f} s")
            visit_every_page(a)

            health = a.invoke("health", {})
            if "ok" not in health:
                fail(f"health over the IPC failed: {health}")
            last_day = health["ok"]["latest_metric_date"]
            # The 30 days ending on the data's last day.
            start = (datetime.date.fromisoformat(last_day) - datetime.timedelta(days=29)).isoformat()
            filt = {"range": {"start": start, "end": last_day}}
            summary = a.invoke("summary", {"filter": filt})
            if "ok" not in summary:
                fail(f"summary over the IPC failed: {summary}")
            demo = os.path.join(a.home, ".local", "share", "outreach-dashboard", "demo.sqlite")
            expected = json.loads(
                subprocess.run(
                    [cli, "--database", demo, "--format", "json", "summary", "--start", start, "--end", last_day],
                    check=True, capture_output=True, text=True, env=a.env,
                ).stdout
            )
            same_counts(summary, expected, "the IPC's", "the outreach command's")
            print(f"e2e: the IPC's summary {start} to {last_day} equals the outreach command's "
                  f"(reach {summary['ok']['current']['reach']})")

            # Counted in the page: only the counts cross WebDriver (large answers through
            # WebKitWebDriver were followed by its failures).
            segments = a.script(
                "const done = arguments[arguments.length - 1];"
                "const counts = ['impressions', 'opens', 'clicks', 'engaged', 'conversions', 'opt_outs'];"
                "window.__TAURI__.core.invoke('segments', {filter: arguments[0]}).then(report => {"
                "  const rows = report.segments.concat(report.dimensions);"
                "  const cells = rows.flatMap(r => counts.map(c => r.metrics[c]));"
                "  done({ok: {rows: rows.length,"
                "    small: cells.filter(n => typeof n === 'number' && n >= 1 && n <= 10),"
                "    suppressed: cells.filter(n => n === '<11').length}});"
                "}, error => done({error: error}));",
                [filt],
            )
            if "ok" not in segments:
                fail(f"segments over the IPC failed: {segments}")
            rows, small, suppressed = (segments["ok"][k] for k in ("rows", "small", "suppressed"))
            if small:
                fail(f"the IPC's segments hold counts from 1 to 10: {small[:5]}")
            if suppressed == 0:
                fail("the IPC's segments show no <11 cell: the demo's last 30 days have small cells")
            print(f"e2e: {rows} segment rows over the IPC, {suppressed} cells shown as <11, none from 1 to 10")

            export_through_the_dialog(a, cli, filt, demo)

            png = base64.b64decode(a.call("GET", "/screenshot"))
            with open(shot, "wb") as f:
                f.write(png)
            colours = int(
                subprocess.run(["convert", shot, "-format", "%k", "info:"], check=True, capture_output=True, text=True).stdout
            )
            if colours < 50:
                fail(f"the screenshot {shot} has {colours} colours: a blank page, not the dashboard")
            print(f"e2e: the window's screenshot has {colours} colours ({shot})")
            work = a.work
            a.keep = True
        # Started again in the same home: the remembered filter (SMS) is the first one asked.
        before = len(open(os.path.join(work, "home", ".local", "share", "outreach-dashboard", "logs",
                                       "outreach-dashboard.log"), errors="replace").read())
        with App(app, work) as again:
            again.wait_for_overview()
            asked = again.log()[before:]
            first = re.search(r"summary\{filter=([^\n]*?)\}:", asked)
            if not first or "SMS" not in first.group(1):
                fail(f"started again, the app did not ask for the remembered filter first: {first and first.group(1)}")
            print("e2e: started again, the app opens on the remembered filter (SMS)")
            if not export_by_clicks(again):
                fail("a click on Export… then CSV… opened no save dialog")
            wait_for("the cancelled export in the shell's log",
                     lambda: re.search(r"export\{[^\n]*return=Cancelled", again.log()[before:]), 30)
            print("e2e: Export… then CSV…, clicked, open the save dialog (cancelled with Escape)")
        shutil.rmtree(work, ignore_errors=True)
    except RuntimeError as err:
        fail(str(err))


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def postgres_server(work):
    """A PostgreSQL server: DATABASE_URL, else the one on 127.0.0.1:5432, else a throwaway
    cluster (initdb and pg_ctl, as the postgres user when root). Its URL and how to stop it."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], lambda: None
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return "postgres://postgres@127.0.0.1:5432/postgres", lambda: None
    except OSError:
        pass
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    if not os.path.exists(os.path.join(bindir, "initdb")):
        versions = sorted(os.listdir("/usr/lib/postgresql"), key=int)
        bindir = f"/usr/lib/postgresql/{versions[-1]}/bin"
    folder = tempfile.mkdtemp(prefix="outreach-e2e-pg-")
    run = []
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
        run = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = os.path.join(folder, "data")
    subprocess.run(run + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(run + [f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w",
                          "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                          "start"], check=True, stdout=subprocess.DEVNULL)

    def stop():
        subprocess.run(run + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
    return f"postgres://postgres@127.0.0.1:{port}/postgres", stop


def database_url(server, name, login=None):
    """`server`'s URL for the database `name`, as `login` (user:password) when given."""
    scheme, rest = server.split("://", 1)
    host = rest.rsplit("@", 1)[-1].rsplit("/", 1)[0]
    user = login or rest.rsplit("@", 1)[0] if "@" in rest else login
    return f"{scheme}://{user + '@' if user else ''}{host}/{name}"


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def check_sign_in(app, cli, etl):
    """The sign-in of the real app, as a person does it (see the module's description)."""
    work = tempfile.mkdtemp(prefix="outreach-e2e-signin-")
    server, stop_server = postgres_server(work)
    suffix = os.urandom(4).hex()
    warehouse, dashboard = f"outreach_e2e_wh_{suffix}", f"outreach_e2e_dash_{suffix}"
    login = f"outreach_e2e_app_{suffix}"
    children = []
    try:
        for name in (warehouse, dashboard):
            psql(server, f"CREATE DATABASE {name}")
        owner = database_url(server, dashboard)
        size = ["--members", "3000", "--campaigns", "12", "--days", "60", "--end-date", "2026-11-27"]
        subprocess.run([etl, "generate", "--warehouse", database_url(server, warehouse)] + size,
                       check=True, capture_output=True)
        subprocess.run([etl, "run", "--warehouse", database_url(server, warehouse), "--dashboard", owner,
                        "--full"], check=True, capture_output=True)
        # The provider, its people, and the database trusting it.
        jwks = os.path.join(work, "jwks.json")
        provider = subprocess.Popen(
            ["node", os.path.join(ROOT, "tests", "oidc", "provider.mjs")],
            env=dict(os.environ, OIDC_ACCOUNTS=json.dumps({"vera@example.org": ["email-viewers"]}),
                     OIDC_JWKS_OUT=jwks),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        children.append(provider)
        line = provider.stdout.readline()
        if not line.startswith("issuer "):
            fail(f"the OpenID provider did not start: {line!r}")
        issuer = line.split(" ", 1)[1].strip()
        for args in (["configure", "--issuer", issuer, "--client-id", "outreach-desktop"],
                     ["keys", "--jwks", jwks],
                     ["grant", "--group", "email-viewers", "--role", "viewer", "--channel", "Email"]):
            subprocess.run([etl, "access", "--dashboard", owner] + args, check=True, capture_output=True)
        psql(owner, f"CREATE ROLE {login} LOGIN PASSWORD 'e2e-{suffix}' IN ROLE outreach_reader")
        # A Secret Service of the run's own.
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        children.append(bus)
        address = bus.stdout.readline().strip()
        keyring_home = os.path.join(work, "keyring")
        os.makedirs(os.path.join(keyring_home, "run"), exist_ok=True)
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, HOME=keyring_home,
                     XDG_DATA_HOME=os.path.join(keyring_home, "data"),
                     XDG_RUNTIME_DIR=os.path.join(keyring_home, "run")),
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        children.append(keyring)
        keyring.stdin.write(b"e2e-keyring-password")
        keyring.stdin.close()

        def secret_tool(*args):
            return subprocess.run(["secret-tool", *args], capture_output=True, text=True,
                                  env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address))
        def stores():
            # Ready once an item can be stored and read back: a search answers before the login
            # keyring that holds items exists (a sign-in then failed to keep its token).
            probe = subprocess.run(["secret-tool", "store", "--label=probe", "service", "outreach-keyring-probe"],
                                   input="probe", capture_output=True, text=True,
                                   env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address))
            if probe.returncode != 0:
                raise RuntimeError(f"secret-tool store: {probe.stderr.strip()}")
            found = secret_tool("lookup", "service", "outreach-keyring-probe")
            if "probe" not in found.stdout:
                raise RuntimeError(f"secret-tool lookup: {found.stdout!r} {found.stderr.strip()}")
            return True
        def owns_its_name():
            # Asking who holds the name starts nothing. A secret-tool call before our daemon
            # holds it makes the bus start another keyring from its service file, one without
            # the unlocked login keyring ("Object does not exist at path …/collection/login"
            # for every store after).
            asked = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                 "/org/freedesktop/DBus", "org.freedesktop.DBus.GetConnectionUnixProcessID",
                 "string:org.freedesktop.secrets"],
                capture_output=True, text=True,
                env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address))
            words = asked.stdout.split()
            if asked.returncode != 0 or not words or not words[-1].isdigit():
                return False
            pid = int(words[-1])
            if pid != keyring.pid:
                raise RuntimeError(f"the Secret Service on the bus is process {pid}, not the test's keyring {keyring.pid}")
            return True
        wait_for("the keyring to hold its name on the bus", owns_its_name, 20)
        wait_for("the keyring to store an item", stores, 20)
        secret_tool("clear", "service", "outreach-keyring-probe")

        browser_log = os.path.join(work, "browser.json")
        config = (f'database_url = "{database_url(server, dashboard, f"{login}:e2e-{suffix}")}"\n'
                  f'[sign_in]\nissuer = "{issuer}"\nclient_id = "outreach-desktop"\nprompt = "consent"\n')
        env = {"DBUS_SESSION_BUS_ADDRESS": address,
               "BROWSER": os.path.join(ROOT, "tests", "oidc", "browser.py"),
               "OIDC_BROWSER_LOGIN": "vera@example.org", "OIDC_BROWSER_LOG": browser_log}
        with App(app, os.path.join(work, "app"), config=config, env=env) as a:
            wait_for("the sign-in screen", lambda: a.title() == "Outreach Dashboard · Sign in", 60)
            print("e2e: the app opens on its sign-in screen")
            a.click(*AT["Sign in"])
            title = a.wait_for_overview()
            seen = json.load(open(browser_log)) if os.path.exists(browser_log) else {}
            if "You are signed in" not in (seen.get("page") or ""):
                fail(f"the browser's page did not say the sign-in finished: {seen}")
            session = a.invoke("session", {})
            if session.get("ok", {}).get("subject") != "vera@example.org" or session["ok"].get("role") != "viewer":
                fail(f"signed in as someone else: {session}")
            print(f"e2e: signed in through the browser as vera@example.org (viewer): {title!r}")
            filt = {"range": {"start": "2026-10-29", "end": "2026-11-27"}}
            summary = a.invoke("summary", {"filter": filt})
            if "ok" not in summary:
                fail(f"the viewer's summary failed: {summary}")
            # The owner (it sees everything) with a home of its own: no sign-in configured there.
            cli_home = os.path.join(work, "cli-home")
            expected = json.loads(subprocess.run(
                [cli, "--database", owner, "--format", "json", "summary", "--start", "2026-10-29",
                 "--end", "2026-11-27", "--channel", "Email"],
                check=True, capture_output=True, text=True,
                env=dict(os.environ, HOME=cli_home, XDG_CONFIG_HOME=os.path.join(cli_home, "config"),
                         XDG_DATA_HOME=os.path.join(cli_home, "data"))).stdout)
            same_counts(summary, expected, "the viewer's", "an admin's of the Email channel")
            print(f"e2e: the viewer's overview is an admin's of the Email channel "
                  f"(impressions {summary['ok']['current']['impressions']})")
            # No Export for a viewer: the clicks that open the demo's save dialog open none,
            # and an export asked over the IPC is refused before any dialog.
            if export_by_clicks(a):
                fail("a viewer's click on Export… then CSV… opened a save dialog")
            if re.search(r"export\{", a.log()):
                fail("a viewer's clicks asked the backend for an export")
            refused = a.invoke("export", {"request": {
                "format": "csv", "view": {"view": "segments"}, "filter": filt, "paper": "a4",
                "byte_order_mark": False}})
            if refused.get("error", {}).get("code") != "forbidden":
                fail(f"a viewer's export over the IPC was not refused: {refused}")
            if find_dialog(a, "Export CSV"):
                fail("a viewer's refused export opened a save dialog")
            print(f"e2e: no Export for a viewer: the clicks open no dialog, the IPC says "
                  f"{refused['error']['message']!r}")
            kept = secret_tool("search", "--all", "service", "outreach-dashboard")
            if "secret = " not in kept.stdout + kept.stderr:
                fail("the keychain holds no refresh token after the sign-in")
            print("e2e: the keychain holds the refresh token")
            signed_out = a.invoke("sign_out", {})
            if "ok" not in signed_out:
                fail(f"the sign-out failed: {signed_out}")
            kept = secret_tool("search", "--all", "service", "outreach-dashboard")
            if "secret = " in kept.stdout + kept.stderr:
                fail("the keychain still holds the refresh token after the sign-out")
            print("e2e: signed out, the keychain holds nothing of the sign-in")
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        for name in (dashboard, warehouse):
            subprocess.run(["psql", "-q", server, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["psql", "-q", server, "-c", f"DROP ROLE IF EXISTS {login}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stop_server()
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) != 4:
        fail("usage: e2e-app.py path/to/outreach-dashboard path/to/outreach path/to/outreach-etl")
    app, cli, etl = (os.path.abspath(p) for p in sys.argv[1:4])
    target = os.environ.get("CARGO_TARGET_DIR", tempfile.gettempdir())
    shot = os.environ.get("E2E_SHOT", os.path.join(target, "e2e-app.png"))
    # Debian 12's WebKitWebDriver has been seen to stop answering now and then (the connection
    # closed or refused, the app's checks up to then holding; reliably after a few commands the
    # app refuses, so the run asks none):
    # the whole run is tried once more when that happens, and says so. A check that does not
    # hold fails at once.
    # The summary line says how many retries the runs needed; a second one in a run fails it.
    # Each of the two runs (the demo; the sign-in against a real provider) is an app of its
    # own and has one retry of its own.
    total = 0
    for run, name in ((lambda: check(app, cli, shot), "demo"), (lambda: check_sign_in(app, cli, etl), "sign-in")):
        for attempt in (1, 2):
            try:
                run()
                break
            except (http.client.HTTPException, ConnectionError, urllib.error.URLError) as err:
                if attempt == 2:
                    fail(f"WebKitWebDriver stopped answering twice in the {name} run ({err!r}): "
                         "more than one retry fails the run")
                total += 1
                print(f"e2e: WebKitWebDriver stopped answering ({err!r}); running the {name} checks once more",
                      file=sys.stderr)
    print(f"e2e: passed, with {total} WebDriver {'retry' if total == 1 else 'retries'}")


if __name__ == "__main__":
    main()
