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

import pytest
from bench import cancels, proc, wrk
from bench.report import FLOOR, TSP_AUTH, Report, Row, write_report

# Printed by wrk 4.1.0 (Debian) with --latency and the harness's script, against a 404.
WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8977/nope
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    18.64ms   39.21ms 178.74ms   86.65%
    Req/Sec     4.45k     4.91k   14.33k    78.95%
  Latency Distribution
     50%  675.00us
     75%    7.25ms
     90%   80.49ms
     99%     1.65s
  8637 requests in 1.13s, 1.27MB read
  Non-2xx or 3xx responses: 8637
Requests/sec:   7647.07
Transfer/sec:      1.12MB
RESULT 8637 8637 1129452
"""


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_wrk_summary_reads_the_counts_and_the_latency_distribution_in_its_units() -> None:
    summary = wrk.parse_summary(WRK_OUTPUT)

    assert (summary.requests, summary.errors) == (8637, 8637)
    assert summary.seconds == pytest.approx(1.129452)
    assert summary.percentiles_ms == pytest.approx({50: 0.675, 75: 7.25, 90: 80.49, 99: 1650.0})


def test_wrk_output_without_the_script_line_or_the_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="RESULT"):
        wrk.parse_summary(WRK_OUTPUT.replace("RESULT", "RESLUT"))
    without_latency = "\n".join(line for line in WRK_OUTPUT.splitlines() if "%  " not in line)
    with pytest.raises(ValueError, match="--latency"):
        wrk.parse_summary(without_latency)


def test_processes_share_the_connections_and_their_figures_add_up() -> None:
    assert wrk.split_connections(50, 1) == [50]
    assert wrk.split_connections(50, 3) == [17, 17, 16]
    fast = wrk.Summary(1000, 0, 2.0, {50.0: 1.0, 99.0: 9.0})
    slow = wrk.Summary(500, 3, 2.0, {50.0: 4.0, 99.0: 30.0})

    combined = wrk.combine([fast, slow], cpu_seconds=0.6)

    assert (combined.requests, combined.errors) == (1500, 3)
    assert combined.rps == pytest.approx(750.0)
    assert (combined.p50_ms, combined.p99_ms) == (4.0, 30.0)  # the slowest process's
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


def _result(rps: float, cpu_us: float) -> wrk.Result:
    return wrk.Result(int(rps * 10), 0, rps, 1.0, 5.0, cpu_us)


def _run(decisions_cpu: float, jwks_cpu: float) -> list[Row]:
    return [
        Row(FLOOR, "/floor", "before", _result(4000, 90)),
        Row(TSP_AUTH, "decisions", "", _result(1000, decisions_cpu), 0.60),
        Row(TSP_AUTH, "token (client_credentials), JWT", "", _result(800, 500), 0.30),
        Row("peer", "token (client_credentials), opaque", result=_result(3000, 200)),
        Row("peer", "token (client_credentials), JWT", result=_result(2000, 400)),
        Row(TSP_AUTH, "jwks", "", _result(3000, jwks_cpu), 0.90),
        Row("peer", "jwks", not_run="node not installed"),
        Row(FLOOR, "/floor", "after", _result(4000, 110)),
    ]


def test_the_report_puts_the_cpu_ratio_against_the_target(tmp_path: Path) -> None:
    report = Report(runs=[_run(150, 125)])
    args = argparse.Namespace(connections=50, seconds=10, warmup=2)

    text = write_report(tmp_path / "b.md", report, args, datetime.now(UTC))

    lines = text.splitlines()
    assert (tmp_path / "b.md").read_text() == text
    # The floor's CPU per request is 100 µs (90 and 110, as many requests each).
    assert "| tsp-auth | decisions |  | 1,000 | 5.0 | 0 | 150 | 25% | 67% | ≥ 60% | met |" in lines
    assert "| decisions | 67% |  | ≥ 60% | met | n/a |" in lines
    assert (
        "| token (client_credentials), JWT | 20% |  | ≥ 30% | **not met** "
        "| 50% (opaque), 25% (JWT) |" in lines
    )
    assert "| jwks | 80% |  | ≥ 90% | **not met** | not run |" in lines
    assert "| peer | jwks |  | not run: node not installed |  |  |  |  |  |  |  |" in lines


def test_two_runs_give_each_ratio_the_spread_and_need_both_to_meet(tmp_path: Path) -> None:
    # Run 2's decisions cost 200 µs against the same 100 µs floor: 50 %, under the target.
    report = Report(runs=[_run(150, 100), _run(200, 110)])
    args = argparse.Namespace(connections=50, seconds=10, warmup=2)

    lines = write_report(tmp_path / "b.md", report, args, datetime.now(UTC)).splitlines()

    assert "| decisions | 67% / 50% | 17 pt | ≥ 60% | **not met** | n/a |" in lines
    assert "| jwks | 100% / 91% | 9 pt | ≥ 90% | met | not run |" in lines
    assert (
        "| token (client_credentials), JWT | 20% / 20% | 0 pt | ≥ 30% | **not met** "
        "| 50% / 50% (opaque), 25% / 25% (JWT) |" in lines
    )
    assert lines.count("## Run 1") == lines.count("## Run 2") == 1


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
    args = argparse.Namespace(connections=50, seconds=10, warmup=2)

    lines = write_report(tmp_path / "b.md", report, args, datetime.now(UTC)).splitlines()

    assert (
        "| decisions | 1,000,000 | 3,000 | 5.0 | 130 | 100 | 77% | 96% | 75% | 100% | met |"
        in lines
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
    args = argparse.Namespace(connections=50, seconds=10, warmup=2)

    lines = write_report(tmp_path / "b.md", report, args, datetime.now(UTC)).splitlines()

    assert "## Cancel latency" in lines
    assert "| 1 | 200 | 0 | 20.0 | 30.0 | 35.0 | 4.0 |  |" in lines
    assert "| 8 | 200 | 0 | 20.0 | 99.0 | 104.0 | 4.0 | met |" in lines
    slow, failing = latency(8, 101), latency(8, 50, errors=1)
    assert cancels.table([slow])[-1].endswith("| **not met** |")
    assert cancels.table([failing])[-1].endswith("| **not met** |")
