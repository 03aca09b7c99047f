"""The pure parts of the benchmark harness (bench/): what it reads from wrk and from /proc, and
the arithmetic that turns them into CPU per request and ratios. No wrk, no server."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bench import cancels, cerbos, plot, proc, scenarios, verdicts, wrk
from bench.peer import PeerUnavailable
from bench.report import FLOOR, LIMIT, TSP_AUTH, Report, Row, write_report

from tsp_auth.decisions.batch_schemas import BatchDecisionRequest
from tsp_auth.policy import ACTIONS

# Printed by wrk 4.1.0 (Debian) with --latency and the harness's script, against a 404 of the
# FastAPI floor (the RESULT line's last field is the 99.9th percentile in µs).
WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:36829/nope
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.59ms    2.19ms  23.09ms   92.89%
    Req/Sec     4.25k     1.43k    6.78k    75.00%
  Latency Distribution
     50%    0.99ms
     75%    1.48ms
     90%    2.95ms
     99%   12.32ms
  8495 requests in 1.01s, 1.25MB read
  Non-2xx or 3xx responses: 8495
Requests/sec:   8432.00
Transfer/sec:      1.24MB
RESULT 8495 8495 1007471 22610
"""


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_wrk_summary_reads_the_counts_and_the_latency_distribution_in_its_units() -> None:
    summary = wrk.parse_summary(WRK_OUTPUT)

    assert (summary.requests, summary.errors) == (8495, 8495)
    assert summary.seconds == pytest.approx(1.007471)
    assert summary.percentiles_ms == pytest.approx(
        {50: 0.99, 75: 1.48, 90: 2.95, 99: 12.32, 99.9: 22.61}
    )


def test_wrk_output_without_the_script_line_or_the_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="RESULT"):
        wrk.parse_summary(WRK_OUTPUT.replace("RESULT", "RESLUT"))
    with pytest.raises(ValueError, match="RESULT"):  # a script without the 99.9th percentile
        wrk.parse_summary(WRK_OUTPUT.replace(" 22610\n", "\n"))
    without_latency = "\n".join(line for line in WRK_OUTPUT.splitlines() if "%  " not in line)
    with pytest.raises(ValueError, match="--latency"):
        wrk.parse_summary(without_latency)


def test_processes_share_the_connections_and_their_figures_add_up() -> None:
    assert wrk.split_connections(50, 1) == [50]
    assert wrk.split_connections(50, 3) == [17, 17, 16]
    fast = wrk.Summary(1000, 0, 2.0, {50.0: 1.0, 99.0: 9.0, 99.9: 40.0})
    slow = wrk.Summary(500, 3, 2.0, {50.0: 4.0, 99.0: 30.0, 99.9: 35.0})

    combined = wrk.combine([fast, slow], cpu_seconds=0.6)

    assert (combined.requests, combined.errors) == (1500, 3)
    assert combined.rps == pytest.approx(750.0)
    # Each the slowest process's.
    assert (combined.p50_ms, combined.p99_ms, combined.p999_ms) == (4.0, 30.0, 40.0)
    assert combined.cpu_us == pytest.approx(400.0)  # 0.6 s over 1,500 requests


def test_own_stat_is_read_from_proc() -> None:
    stat = proc.read_stat(os.getpid())

    assert stat is not None
    assert (stat.pid, stat.ppid) == (os.getpid(), os.getppid())
    assert stat.comm == Path("/proc/self/comm").read_text().rstrip("\n")
    times = os.times()  # the same counters, in seconds
    assert stat.utime / proc.TICKS_PER_SECOND == pytest.approx(times.user, abs=0.05)
    assert stat.stime / proc.TICKS_PER_SECOND == pytest.approx(times.system, abs=0.05)


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields(
    tmp_path: Path,
) -> None:
    odd = tmp_path / "a) (b c"
    odd.symlink_to(sys.executable)  # comm is the name the program was started by
    child = subprocess.Popen([str(odd), "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.2)
        stat = proc.read_stat(child.pid)
    finally:
        child.kill()
        child.wait()

    assert stat is not None
    assert (stat.comm, stat.ppid) == ("a) (b c", os.getpid())


def test_cpu_spent_by_the_process_and_its_live_children_is_counted() -> None:
    before = proc.cpu_seconds([os.getpid()])
    _burn(0.3)
    own = proc.cpu_seconds([os.getpid()]) - before
    # /proc counts whole clock ticks, so each of the two readings may fall short by one.
    assert 0.3 - 2 / proc.TICKS_PER_SECOND <= own <= 0.5

    burner = (
        "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
        "print('burnt', flush=True)\ntime.sleep(10)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", burner], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "burnt\n"  # it has used its CPU and gone to sleep
        burnt = proc.read_stat(child.pid)
        mine = proc.read_stat(os.getpid())
        tree = proc.tree_ticks([os.getpid()])
    finally:
        child.kill()
        child.wait()
    assert burnt is not None and mine is not None
    assert burnt.ticks >= 0.3 * proc.TICKS_PER_SECOND - 2  # whole ticks again, as above
    assert tree >= mine.ticks + burnt.ticks


def test_a_process_that_is_gone_reads_as_none() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert proc.read_stat(child.pid) is None
    assert proc.tree_ticks([child.pid]) == 0


def test_cpu_per_request_and_the_cpu_ratio() -> None:
    assert proc.cpu_per_request_us(10.0, 10.5, 1000) == pytest.approx(500.0)
    assert proc.cpu_per_request_us(10.0, 10.5, 0) is None
    assert proc.cpu_ratio(100.0, 400.0) == pytest.approx(0.25)
    assert proc.cpu_ratio(None, 400.0) is None
    assert proc.cpu_ratio(100.0, None) is None


def _result(rps: float, cpu_us: float, p50: float = 1.0, p99: float = 5.0) -> wrk.Result:
    return wrk.Result(int(rps * 10), 0, rps, p50, p99, p99 * 2, cpu_us)


CERBOS_ROW = Row(verdicts.CERBOS, "decisions", result=_result(1500, 500))
NO_CERBOS = Row(verdicts.CERBOS, "decisions", not_run="npm not installed")


def _run(decisions_cpu: float, jwks_cpu: float, cerbos: Row = CERBOS_ROW) -> list[Row]:
    """A run as the harness records it. The limit's CPU per request pools to 60 µs (50 and 70,
    as many requests each), the floor's to 100 µs (90 and 110)."""
    return [
        Row(LIMIT, "/floor", "before", _result(12000, 50)),
        Row(FLOOR, "/floor", "before", _result(4000, 90, p99=20.0)),
        Row(TSP_AUTH, "decisions", "", _result(1000, decisions_cpu), 0.40),
        Row(TSP_AUTH, verdicts.BATCH, "", _result(800, 400, p50=2.0, p99=30.0)),
        Row(TSP_AUTH, "token (client_credentials), JWT", "", _result(800, 500), 0.18),
        Row(
            verdicts.OIDC_PROVIDER, "token (client_credentials), opaque", result=_result(3000, 200)
        ),
        Row(verdicts.OIDC_PROVIDER, "token (client_credentials), JWT", result=_result(2000, 400)),
        Row(TSP_AUTH, "jwks", "", _result(3000, jwks_cpu, p99=2.5), 0.65),
        Row(verdicts.OIDC_PROVIDER, "jwks", not_run="node not installed"),
        cerbos,
        Row(FLOOR, "/floor", "after", _result(4000, 110, p99=10.0)),
        Row(LIMIT, "/floor", "after", _result(12000, 70)),
    ]


ARGS = argparse.Namespace(connections=50, seconds=10, warmup=2)


def test_every_row_has_its_percentiles_and_its_cpu_ratio_to_both_references(
    tmp_path: Path,
) -> None:
    report = Report(runs=[_run(150, 80)])

    text = write_report(tmp_path / "b.md", report, ARGS, datetime.now(UTC))

    lines = text.splitlines()
    assert (tmp_path / "b.md").read_text() == text
    # 60 / 150 = 40 % of the limit (the target, met), 100 / 150 = 67 % of the floor.
    assert (
        "| tsp-auth | decisions |  | 1,000 | 1.0 | 5.0 | 10.0 | 0 | 150 | 40% | 67% | ≥ 40% | met |"
        in lines
    )
    assert (
        "| tsp-auth | token (client_credentials), JWT |  | 800 | 1.0 | 5.0 | 10.0 | 0 | 500 "
        "| 12% | 20% | ≥ 18% | **not met** |" in lines
    )
    assert (
        "| bare ASGI | /floor | before | 12,000 | 1.0 | 5.0 | 10.0 | 0 | 50 | 120% | 200% |  |  |"
        in lines
    )
    assert "| decisions | 40% |  | ≥ 40% | met | " + verdicts.CERBOS + ": 12% |" in lines
    assert (
        "| token (client_credentials), JWT | 12% |  | ≥ 18% | **not met** "
        f"| {verdicts.OIDC_PROVIDER}: 30% (opaque), 15% (JWT) |" in lines
    )
    assert "| jwks | 75% |  | ≥ 65% | met | " + verdicts.OIDC_PROVIDER + ": not run |" in lines
    assert (
        f"| {verdicts.OIDC_PROVIDER} | jwks |  | not run: node not installed "
        "|  |  |  |  |  |  |  |  |  |" in lines
    )
    assert "limit 60 µs (12,000 req/s at 50 µs, 12,000 req/s at 70 µs; before/after)" in text


def test_two_runs_give_each_ratio_the_spread_and_need_both_to_meet(tmp_path: Path) -> None:
    # Run 2's decisions cost 200 µs against the same 60 µs limit: 30 %, under the target.
    report = Report(runs=[_run(150, 80), _run(200, 100)])

    lines = write_report(tmp_path / "b.md", report, ARGS, datetime.now(UTC)).splitlines()

    assert lines[
        lines.index(
            "| path | tsp-auth CPU ratio to the limit (run 1 / run 2) | spread "
            "| target | | peer, CPU ratio to the limit (run 1 / run 2) |"
        )
        + 2
    ] == (f"| decisions | 40% / 30% | 10 pt | ≥ 40% | **not met** | {verdicts.CERBOS}: 12% / 12% |")
    assert (
        f"| jwks | 75% / 60% | 15 pt | ≥ 65% | **not met** | {verdicts.OIDC_PROVIDER}: not run |"
        in lines
    )
    assert lines.count("## Run 1") == lines.count("## Run 2") == 1
    assert (
        "| decisions: CPU ratio to the bare-ASGI limit ≥ 40% | 40.0% | 30.0% | **not met** |"
        in lines
    )


def _verdicts(rows: list[Row]) -> dict[str, tuple[str, bool | None]]:
    return {v.check: (v.measured, v.met) for v in verdicts.verdicts(rows)}


def test_the_done_when_checks_of_issue_24_on_one_run() -> None:
    found = _verdicts(_run(150, 80))

    assert found["decisions: CPU ratio to the bare-ASGI limit ≥ 40%"] == ("40.0%", True)
    assert found["jwks: CPU ratio to the bare-ASGI limit ≥ 65%"] == ("75.0%", True)
    assert found["token (client_credentials), JWT: CPU ratio to the bare-ASGI limit ≥ 18%"] == (
        "12.0%",
        False,
    )
    # Paths the run did not measure are never met.
    assert found["introspection: CPU ratio to the bare-ASGI limit ≥ 25%"] == ("not measured", None)
    assert found["tsp-access login: CPU ratio to the bare-ASGI limit ≥ 12%"][1] is None
    # Tails: 5.0 / 1.0 ms is five times the median; the floor's p99 pools to 20 ms (the worse).
    assert found["decisions: p99 ≤ 3 x p50"] == ("5.0 / 1.0 ms = 5.0x", False)
    assert found["jwks: p99 ≤ 3 x p50"] == ("2.5 / 1.0 ms = 2.5x", True)
    assert found["decisions: p99 ≤ the FastAPI floor's p99"] == ("5.0 vs 20.0 ms", True)
    # The peers, in the same run: 150 µs against Cerbos's 500 is 0.30, within 0.35.
    assert found["decisions: CPU ≤ 0.35 x Cerbos PDP 0.55.0's"] == (
        "150 / 500 µs = 0.30x",
        True,
    )
    assert found["jwks: CPU ≤ 1 x node oidc-provider's"] == ("not measured", None)
    # The batch: 400 µs against three single decisions, 450 µs.
    assert found["decisions batch (10 actions): CPU ≤ 3 single decisions'"] == (
        "400 / 450 µs = 0.89x",
        True,
    )


def test_a_slower_decision_misses_the_cerbos_and_batch_bounds_and_a_missing_peer_is_named() -> None:
    found = _verdicts(_run(120, 80, cerbos=NO_CERBOS))
    assert found["decisions: CPU ≤ 0.35 x Cerbos PDP 0.55.0's"] == ("not measured", None)
    # 400 µs is more than three 120 µs decisions.
    assert found["decisions batch (10 actions): CPU ≤ 3 single decisions'"] == (
        "400 / 360 µs = 1.11x",
        False,
    )
    slow = _verdicts(_run(200, 80))
    assert slow["decisions: CPU ≤ 0.35 x Cerbos PDP 0.55.0's"] == ("200 / 500 µs = 0.40x", False)
    assert "not measured" in verdicts.printed(_run(120, 80, cerbos=NO_CERBOS))


def test_each_scale_point_is_put_against_both_its_floors(tmp_path: Path) -> None:
    # The 1,000,000 point's floors drift from 90 to 110 µs: pooled, 100 µs, as at 1,000.
    report = Report(
        runs=[_run(150, 100)],
        scaling=[
            Row(FLOOR, "/floor", "1,000", _result(4000, 100)),
            Row(TSP_AUTH, "decisions", "1,000", _result(3000, 125)),
            Row(FLOOR, "/floor", "1,000", _result(4000, 100)),
            Row(FLOOR, "/floor", "1,000,000", _result(4000, 90)),
            Row(TSP_AUTH, "decisions", "1,000,000", _result(3000, 130)),
            Row(FLOOR, "/floor", "1,000,000", _result(4000, 110)),
        ],
    )

    lines = write_report(tmp_path / "b.md", report, ARGS, datetime.now(UTC)).splitlines()

    assert (
        "| decisions | 1,000,000 | 3,000 | 5.0 | 130 | 100 | 77% | 96% | 75% | 100% | met |"
        in lines
    )


def test_the_plot_draws_three_percentiles_per_path_on_a_log_axis(tmp_path: Path) -> None:
    report = Report(runs=[_run(150, 80, cerbos=NO_CERBOS)])
    path = tmp_path / "latency.svg"

    plot.write_plot(path, report, "smoke")

    svg = ElementTree.parse(path).getroot()  # noqa: S314 (the file this test just wrote)
    ns = "{http://www.w3.org/2000/svg}"
    titles = [t.text for t in svg.iter(f"{ns}title")]
    # The references pooled, then every measured path; the peer not run is not drawn.
    labels = [label for label, _ in plot.bars(report)]
    assert labels == [
        LIMIT,
        FLOOR,
        "decisions",
        verdicts.BATCH,
        "token (client_credentials), JWT",
        "node oidc-provider: token (client_credentials), opaque",
        "node oidc-provider: token (client_credentials), JWT",
        "jwks",
    ]
    assert len(titles) == 3 * len(labels)
    assert "decisions p99.9 10.00 ms" in titles
    assert "floor p99 20.00 ms" in titles  # the worse of the floor's two runs
    # Log scale: one decade of two is half the axis; below the axis's start, at its start.
    assert plot.x_of(10.0, 0, 2) == pytest.approx(plot.PLOT_WIDTH / 2)
    assert plot.x_of(0.01, 0, 2) == 0.0


def test_the_cerbos_pin_is_read_from_its_run_script_and_its_ports_are_this_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = (
        '[ -x "$DIR/node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64" ] || (cd "$DIR" && '
        "npm init -y >/dev/null && npm install --no-audit --no-fund "
        "@cerbos/cerbos-linux-x64@0.55.0 >/dev/null)"
    )
    assert cerbos.package(line) == ("@cerbos/cerbos-linux-x64", "0.55.0")
    with pytest.raises(PeerUnavailable):
        cerbos.package("npm install something-else")
    monkeypatch.setattr(cerbos, "COPY", tmp_path)
    (tmp_path / "config.yaml").write_text(
        'server:\n  httpListenAddr: "127.0.0.1:8905"\n  grpcListenAddr: "127.0.0.1:8906"\n'
    )
    cerbos.configure(41001, 41002)
    assert (tmp_path / "config.yaml").read_text() == (
        'server:\n  httpListenAddr: "127.0.0.1:41001"\n  grpcListenAddr: "127.0.0.1:41002"\n'
    )


def test_cancel_percentiles_are_nearest_rank() -> None:
    took = [float(ms) for ms in range(1, 201)]  # 1 … 200 ms
    assert cancels.percentile(took, 0.5) == 100.0
    assert cancels.percentile(took, 0.99) == 198.0
    assert cancels.percentile([7.0], 0.99) == 7.0


def test_the_ack_wait_is_read_from_the_histogram_and_nothing_else() -> None:
    metrics = "\n".join(
        [
            "# TYPE tsp_auth_coherence_ack_wait_seconds histogram",
            'tsp_auth_coherence_ack_wait_seconds_bucket{le="0.01"} 3.0',
            "tsp_auth_coherence_ack_wait_seconds_count 4.0",
            "tsp_auth_coherence_ack_wait_seconds_sum 0.05",
            "tsp_auth_coherence_ack_wait_seconds_created 1.7e+09",
        ]
    )
    assert cancels.ack_waits(metrics) == (pytest.approx(0.05), 4.0)
    assert cancels.ack_waits("") == (0.0, 0.0)


def test_the_cancel_latency_is_judged_on_eight_processes(tmp_path: Path) -> None:
    def latency(processes: int, p99: float, errors: int = 0) -> cancels.CancelLatency:
        return cancels.CancelLatency(processes, 200, errors, 20.0, p99, p99 + 5, 4.0)

    report = Report(runs=[_run(150, 100)], cancels=[latency(1, 30), latency(8, 99)])

    lines = write_report(tmp_path / "b.md", report, ARGS, datetime.now(UTC)).splitlines()

    assert "## Cancel latency" in lines
    assert "| 1 | 200 | 0 | 20.0 | 30.0 | 35.0 | 4.0 |  |" in lines
    assert "| 8 | 200 | 0 | 20.0 | 99.0 | 104.0 | 4.0 | met |" in lines
    slow, failing = latency(8, 101), latency(8, 50, errors=1)
    assert cancels.table([slow])[-1].endswith("| **not met** |")
    assert cancels.table([failing])[-1].endswith("| **not met** |")


def test_the_batch_row_asks_ten_actions_the_policy_knows_in_a_body_the_route_takes() -> None:
    request = scenarios.build_batch("a-session-token")

    body = BatchDecisionRequest.model_validate_json(request.body)
    assert (request.method, request.path) == ("POST", "/v1/decisions/batch")
    assert len(body.checks) == 10 == len({c.action for c in body.checks})
    assert all(c.action in ACTIONS and not c.action.startswith("creator_im.") for c in body.checks)
