"""Report submissions per second through the real stack, as reporters' browsers make them.

Each client signs in through the sign-in page, then over and over opens the new-report form
and posts a complete report (the escalation rules, the case file, the outbox: everything a
submission does), and follows the redirect to the "submitted" page as a browser would. A
submission counts when the post answers with the redirect to its CH- reference.

    .venv/bin/python bench/submissions.py [--clients 4] [--seconds 20]

The __main__ creates a throwaway database (harassment_portal_bench_submissions), migrates it,
seeds the demo, serves it with gunicorn (WEB_CONCURRENCY workers, 2 by default as in the
issue's measurements, on a free port) and prints the figure; the database is dropped at the
end, whatever happens. ``--template hp_bench_10000_s1`` copies a benchmark database instead
(its demo users' password is the benchmark's, the default of ``--password``), so that
submissions land among years of reports and the shared database stays as generated. Target
(issue 12): at least 50 submissions per second with 4 clients on 2 cores. ``make bench``
imports :func:`submissions_per_second` and runs it against the server it started.
"""

from __future__ import annotations

import argparse
import html
import http.client
import importlib.util
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "harassment_portal_bench_submissions"
BENCH_REDIS = "redis://127.0.0.1:6379/13"
TARGET_PER_SECOND = 50
SUBMITTED = re.compile(r"^/incidents/(CH-\d{4}-\d{6})/submitted/$")

# What the reports say and name: a mix that exercises every kind of rule. A physical attack
# escalates to managers and legal at once (e-mails through the outbox); a candidate ID from
# a small pool makes case files grow past the "3 reports in 180 days" repeat rule; a request
# for support tells the supervisor and the staff-care contact.
CATEGORY_MIXES = (
    ["verbal_abuse"],
    ["prolonged_detention", "excessive_demand"],
    ["physical_attack"],
    ["unauthorized_recording"],
    ["verbal_abuse", "personal_info_demand"],
)
NARRATIVES = (
    "受付で40分間、大声で暴言を繰り返した。スーパーバイザーが対応した。",
    "試験室で机を叩き、スタッフを殴ろうとした。他の受験者も不安そうだった。",
    "The candidate shouted at the desk for twenty minutes and refused to leave.",
    "電話で受験料の返金を繰り返し求め、スタッフの名前を聞き出そうとした。",
)
CANDIDATE_POOL = 300
# The demo users' password of a throwaway database, and of make bench's (bench/run.py).
BENCH_PASSWORD = "bench-password-1"  # noqa: S105  (made-up demo users)


def submissions_per_second(
    base_url: str,
    *,
    clients: int = 4,
    seconds: float = 20,
    usernames: list[str],
    password: str,
) -> dict:
    """``clients`` browsers (signed in as ``usernames`` in turn, staff who need no second
    factor) filing reports for ``seconds`` against the portal at ``base_url``. Sign-in is
    not timed. Returns {"submissions", "seconds", "per_second", "errors"}."""
    if not usernames:
        raise ValueError("name at least one user to file the reports")
    browsers = [_Browser(base_url) for _ in range(clients)]
    for index, browser in enumerate(browsers):
        browser.sign_in(usernames[index % len(usernames)], password)
    start = threading.Barrier(clients + 1)
    counts = [[0, 0] for _ in range(clients)]  # [submissions, errors] per client
    # Each step's time (ms) of every submission: what a reporter waits for is the post.
    steps: dict[str, list[float]] = {"form": [], "post": [], "confirmation": []}
    errors_seen: list[str] = []
    deadline = [0.0]

    def run(index: int) -> None:
        rng = random.Random(index)  # varied content, reproducible per client
        browser = browsers[index]
        start.wait()
        while time.monotonic() < deadline[0]:
            try:
                _reference, timings = browser.file_report(rng)
                counts[index][0] += 1
                for step, elapsed in timings.items():
                    steps[step].append(elapsed)
            except (BenchError, OSError, http.client.HTTPException) as error:
                counts[index][1] += 1
                if len(errors_seen) < 5:
                    errors_seen.append(str(error))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline[0] = began + seconds
    cpu_before = cpu_by_group()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cpu = {group: used - cpu_before.get(group, 0.0) for group, used in cpu_by_group().items()}
    submissions = sum(count[0] for count in counts)
    errors = sum(count[1] for count in counts)
    for error in errors_seen:
        print(f"  error: {error}", file=sys.stderr)
    result = {
        "submissions": submissions,
        "seconds": round(elapsed, 2),
        "per_second": round(submissions / elapsed, 1),
        "errors": errors,
    }
    for step, times in steps.items():
        if times:
            ordered = sorted(times)
            result[f"{step}_p50_ms"] = round(statistics.median(ordered), 1)
            result[f"{step}_p95_ms"] = round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 1)
    if cpu and submissions:
        # What a report costs the machine's cores, by who spent it: the rate is this cost's
        # inverse once the cores are saturated, so a slower machine shows here first.
        result["cores_used"] = round(sum(cpu.values()) / elapsed, 2)
        result["cpu_ms_per_submission"] = {
            group: round(used * 1000 / submissions, 1) for group, used in sorted(cpu.items())
        }
    return result


# What each process of the machine is, for the CPU a submission costs: the servers and their
# workers (gunicorn), PostgreSQL's backends, these clients, everything else.
def _cpu_group(command: str) -> str:
    if "gunicorn" in command:
        return "gunicorn"
    if command.startswith("postgres"):
        return "postgresql"
    if "submissions.py" in command or "bench/run.py" in command:
        return "clients"
    return "other"


def cpu_by_group() -> dict[str, float]:
    """CPU seconds (user and system) used so far by the machine's processes, by group; {} where
    /proc cannot be read. A process that ends between two samples takes its last use with it:
    the groups measured here live through a run."""
    if not os.path.isdir("/proc/self"):
        return {}
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        group = _cpu_group(command)
        used[group] = used.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


class BenchError(Exception):
    """A page answered other than a browser would expect."""


# The load runs on the server's two cores: its clients must cost them little. Python's
# HTMLParser took 6 ms of CPU over the 36 KB form (a fifth of what the server spends on it),
# which a browser spends on the reporter's own device; these expressions read the same fields.
_TAG_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-\w:.]*)(?:="([^"]*)")?')
_INPUT = re.compile(r"<input\b([^>]*)>")
_SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.DOTALL)
_OPTION = re.compile(r"<option\b([^>]*)>")


def _attributes(tag_inside: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in _TAG_ATTRIBUTE.findall(tag_inside)}


def form_fields(page: str) -> dict[str, str]:
    """The hidden inputs and the selected (else the first) option of each select of a page:
    what a browser posts back of a form the user does not touch."""
    values: dict[str, str] = {}
    for inside in _INPUT.findall(page):
        attributes = _attributes(inside)
        if attributes.get("type") == "hidden" and attributes.get("name"):
            values.setdefault(attributes["name"], attributes.get("value", ""))
    for inside, options in _SELECT.findall(page):
        name = _attributes(inside).get("name")
        choices = [_attributes(option) for option in _OPTION.findall(options)]
        if name and choices:
            chosen = next((choice for choice in choices if "selected" in choice), choices[0])
            values[name] = chosen.get("value", "")
    return values


class _Browser:
    """One reporter's browser: its own cookies, the headers a browser sends with a form
    (Origin and Referer, which Django's CSRF check reads on HTTPS), redirects seen, not
    followed blindly. Cookies are kept whatever their Secure flag, so that a server behind a
    TLS proxy (X-Forwarded-Proto) can be measured over plain HTTP."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.cookies: dict[str, str] = {"django_language": "ja"}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = ""):
        headers = {
            "Accept-Language": "ja",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": self.origin + self.prefix + path,
        }
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, self.prefix + path, body=body or None, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        location = response.headers.get("Location", "")
        if location.startswith(self.origin):
            location = location[len(self.origin) :]
        return response.status, location.removeprefix(self.prefix), page

    def form(self, path: str) -> dict[str, str]:
        status, _location, page = self.request("GET", path)
        if status != 200:
            raise BenchError(f"GET {path}: {status}")
        return form_fields(page)

    def sign_in(self, username: str, password: str) -> None:
        fields = self.form("/accounts/login/")
        body = urlencode(
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "username": username,
                "password": password,
                "next": "/",
            }
        ).encode()
        status, location, _page = self.request(
            "POST", "/accounts/login/", body, "application/x-www-form-urlencoded"
        )
        if status != 302 or location.startswith(("/accounts/", "/mfa/")):
            raise BenchError(f"{username} could not sign in without a second factor ({status})")

    def file_report(self, rng: random.Random) -> tuple[str, dict[str, float]]:
        """Open the form, post a complete report, follow the redirect; its reference, and
        each of the three requests' time in ms."""
        started = time.perf_counter()
        fields = self.form("/incidents/new/")
        timings = {"form": (time.perf_counter() - started) * 1000}
        occurred = datetime.now().astimezone() - timedelta(minutes=rng.randint(5, 600))
        values: list[tuple[str, str]] = [
            ("csrfmiddlewaretoken", fields["csrfmiddlewaretoken"]),
            ("form_token", fields["form_token"]),
            ("center", fields["center"]),
            ("occurred_at", occurred.strftime("%Y-%m-%dT%H:%M")),
            ("channel", rng.choice(("in_person_checkin", "testing_room", "phone"))),
            ("location", "受付"),
            ("exam", "TOEIC"),
            ("demand", "再受験させろ。"),
            ("demand_legitimacy", "no"),
            ("narrative", rng.choice(NARRATIVES)),
            ("staff_response", "規定を説明し、スーパーバイザーに引き継いだ。"),
            ("duration_minutes", str(rng.randint(5, 90))),
            ("severity", ""),
            ("action", "submit"),
        ]
        if rng.random() < 0.7:  # phone callers are often unknown
            values.append(("candidate_id_entered", f"BENCH{rng.randrange(CANDIDATE_POOL):05d}"))
        if rng.random() < 0.1:
            values.append(("support_requested", "on"))
        values += [("categories", code) for code in rng.choice(CATEGORY_MIXES)]
        body, content_type = _multipart(values)
        started = time.perf_counter()
        status, location, _page = self.request("POST", "/incidents/new/", body, content_type)
        timings["post"] = (time.perf_counter() - started) * 1000
        submitted = SUBMITTED.match(location)
        if status != 302 or submitted is None:
            raise BenchError(f"POST /incidents/new/: {status} {location or '(no redirect)'}")
        started = time.perf_counter()
        status, _location, _page = self.request("GET", location)
        timings["confirmation"] = (time.perf_counter() - started) * 1000
        if status != 200:
            raise BenchError(f"GET {location}: {status}")
        return submitted.group(1), timings


def _multipart(values: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser posts for the report form (multipart: it has a file input, sent
    empty when no evidence is chosen)."""
    boundary = f"----bench{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in values
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


# --- Standalone run: a throwaway database served by gunicorn ------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--redis", default=BENCH_REDIS, help="Redis URL (broker and cache)")
    parser.add_argument(
        "--template",
        help="copy this (migrated, seeded) database instead of migrating an empty one",
    )
    parser.add_argument("--password", default=BENCH_PASSWORD, help="the demo users' password")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.development")
    os.environ["REDIS_URL"] = args.redis
    from django.conf import settings
    from search_explain import _drop_database, _recreate_database

    server = dict(settings.DATABASES["default"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _recreate_database(server, BENCH_DATABASE, template=args.template)
    web = None
    try:
        settings.DATABASES["default"]["NAME"] = BENCH_DATABASE
        import django

        django.setup()
        from django.core.management import call_command

        password = args.password
        # A copied database is migrated forward, should the code have a newer migration.
        call_command("migrate", verbosity=0)
        if not args.template:
            call_command("seed_demo", password=password, verbosity=0)
        port = _free_port()
        web = _start_gunicorn(server, port, args.redis)
        result = submissions_per_second(
            f"http://127.0.0.1:{port}",
            clients=args.clients,
            seconds=args.seconds,
            usernames=["staff.tokyo", "staff.osaka"],
            password=password,
        )
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        _drop_database(server, BENCH_DATABASE)
        print(f"Dropped the database {BENCH_DATABASE}.")
    print(
        f"{result['submissions']} reports submitted by {args.clients} clients in "
        f"{result['seconds']} s: {result['per_second']} submissions/s, {result['errors']} errors"
    )
    print(_steps(result))
    if cpu_line(result):
        print(cpu_line(result))
    met = result["per_second"] >= TARGET_PER_SECOND and result["errors"] == 0
    print(f"target ≥ {TARGET_PER_SECOND}/s without errors:", "met" if met else "NOT met")
    return 0 if met else 1


def _steps(result: dict) -> str:
    """Each request's p50/p95 of a submission, the post (what she waits for) first."""
    return ", ".join(
        f"{step} p50 {result[f'{step}_p50_ms']:.0f} ms p95 {result[f'{step}_p95_ms']:.0f} ms"
        for step in ("post", "form", "confirmation")
        if f"{step}_p50_ms" in result
    )


def cpu_line(result: dict) -> str:
    """The CPU a submission cost the machine, by who spent it ("" if not measured)."""
    spent = result.get("cpu_ms_per_submission")
    if not spent:
        return ""
    parts = ", ".join(f"{group} {ms:.1f}" for group, ms in spent.items() if ms >= 0.05)
    return (
        f"CPU per submission {sum(spent.values()):.1f} ms ({parts}); "
        f"{result['cores_used']:.2f} of {os.cpu_count()} cores busy"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _served_settings() -> str:
    """The settings ``make bench`` serves with (DEBUG off, as in production: cached templates,
    no query log), where they exist; else the development settings."""
    if importlib.util.find_spec("harassment_portal.settings.bench") is not None:
        return "harassment_portal.settings.bench"
    return "harassment_portal.settings.development"


def _start_gunicorn(server: dict, port: int, redis_url: str) -> subprocess.Popen:
    user = server["USER"] or "postgres"
    host = f"{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{host}/{BENCH_DATABASE}",
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": _served_settings(),
    }
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "harassment_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("WEB_CONCURRENCY") or "2",  # as bench/run.py
            "--timeout",
            "30",
            # Another gunicorn (make run, a second bench) may own the default control socket.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return web
        except OSError:
            if time.monotonic() > deadline or web.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
