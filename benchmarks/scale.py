"""Time rfm_summary + compress + the BG/NBD fit on Parquet logs held by each engine.

A synthetic transaction log (default 10,000,000 rows; about one customer per 20 rows,
with skewed purchase counts; two years of naive ``timestamp[us]`` dates; gamma
amounts) is written once as Parquet files of 5,000,000 rows in row groups of
1,000,000, in chunks so that generating it takes bounded memory, and reused when it
already exists. Each engine then reads it lazily (``polars.scan_parquet``,
``duckdb.read_parquet`` of a glob, ``dask.dataframe.read_parquet`` on a
``distributed.LocalCluster`` of 2 worker processes with a per-worker memory limit and
one partition per row group or smaller, ``spark.read.parquet`` in ``local[2]``; pandas
reads it whole with ``pd.read_parquet``, up to ``--pandas-max`` rows) and the script
times, in a fresh subprocess per engine, ``rfm_summary(frame, amount="amount",
freq="D", time_unit="W")``, ``compress`` of its columns and ``fit_bgnbd`` on the
compressed rows with their weights; then the monthly ``cohort_retention``,
``retention_by_period`` and ``usage_summary`` of the same frame, whose totals (cohort
cells, active customer-months, events) must agree across engines.

Peak memory is the high-water resident set of each process, from
``resource.getrusage``: for every engine the engine's own Python process (for Dask
that holds the client and the scheduler; for Spark the Python driver only); for Dask
also each worker process (``client.run`` of the same call); for Spark also the JVM
(``VmHWM`` of the gateway's process, read before it stops). The parent process only
starts the others and stays small, so that nothing it holds is counted in theirs.

In the DuckDB subprocess the same reduction is also written by hand as one DuckDB SQL
query (per customer and day the total, then per customer the count, first and last
day and the total of the repeat days) and run on the same files, interleaved with
``rfm_summary``; the script checks that both give the same summary (frequency
exactly, the other columns to 1e-9) and prints the ratio of their best times
(salescore ÷ hand SQL; the target is 1.3 or less). ``rfm_summary`` also checks its
input (missing dates, customers, negative amounts) in the engine; the hand query
does not.

    python benchmarks/scale.py --rows 10M
    python benchmarks/scale.py --rows 10M --rows 100M --engines duckdb,polars,dask
    python benchmarks/scale.py --rows 100M --dir data/scale --json scale.json
    python benchmarks/scale.py --rows 100M --engines duckdb --duckdb-memory 2GB

The ratio and the peak memory as the log grows are the figures to compare across
machines; the absolute times are not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENGINES = ("pandas", "polars", "duckdb", "dask", "spark")
ROWS_PER_GROUP = 1_000_000
ROWS_PER_FILE = 5_000_000
DAYS = 730
START = "2024-01-01"
SEED = 20261204
# Uncompressed bytes per row in memory: int64 id, timestamp[us] date, float64 amount.
ROW_BYTES = 24

HAND_SQL = """
WITH pairs AS (
    SELECT customer_id, CAST(date AS DATE) AS day, SUM(amount) AS total
    FROM read_parquet($files)
    GROUP BY customer_id, day
), customers AS (
    SELECT customer_id, COUNT(*) AS days, MIN(day) AS first, MAX(day) AS last,
           SUM(total) - arg_min(total, day) AS repeat_total
    FROM pairs
    GROUP BY customer_id
)
SELECT customer_id,
       days - 1 AS frequency,
       date_diff('day', first, last) / 7.0::DOUBLE AS recency,
       date_diff('day', first, (SELECT MAX(last) FROM customers)) / 7.0::DOUBLE AS "T",
       CASE WHEN days > 1 THEN repeat_total / (days - 1) ELSE 0.0 END AS monetary_value
FROM customers
ORDER BY customer_id
"""


def _count(text: str) -> int:
    """``10M``, ``1.5e8``, ``100000`` -> a row count."""
    factor = {"K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}.get(text[-1:].upper(), 1)
    number = text[:-1] if factor != 1 else text
    return int(float(number) * factor)


def _label(rows: int) -> str:
    return f"{rows // 10**6}M" if rows % 10**6 == 0 else str(rows)


def _peak_mb() -> float:
    """High-water resident set of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hwm_mb(pid: int) -> float | None:
    """``VmHWM`` of a live process in MB, or None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- the data ---------------------------------------------------------------------


def data_dir(root: Path, rows: int) -> Path:
    return root / f"transactions-{_label(rows)}"


def generate(folder: Path, rows: int) -> None:
    """Write ``rows`` synthetic transactions to ``folder`` unless already there."""
    done = folder / "_COMPLETE"
    if done.exists():
        return
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    rng = np.random.default_rng(SEED)
    customers = max(rows // 20, 1)
    # Each customer's propensity is geometric (mean 20 purchases), so counts are skewed:
    # many one-time buyers and a long tail of frequent ones.
    propensity = rng.geometric(1 / 20, customers).astype(np.float64)
    cumulative = np.cumsum(propensity)
    cumulative /= cumulative[-1]
    first = rng.integers(0, DAYS, customers)
    start = np.datetime64(START, "us")
    schema = pa.schema(
        [("customer_id", pa.int64()), ("date", pa.timestamp("us")), ("amount", pa.float64())]
    )
    written = 0
    part = 0
    while written < rows:
        in_file = min(ROWS_PER_FILE, rows - written)
        path = folder / f"part-{part:04d}.parquet"
        with pq.ParquetWriter(path, schema, compression="snappy") as writer:
            left = in_file
            while left:
                size = min(ROWS_PER_GROUP, left)
                who = np.searchsorted(cumulative, rng.random(size), side="right")
                who = np.minimum(who, customers - 1)
                day = first[who] + (rng.random(size) * (DAYS - first[who])).astype(np.int64)
                micros = day * 86_400_000_000 + rng.integers(0, 86_400_000_000, size)
                table = pa.table(
                    {
                        "customer_id": pa.array(who.astype(np.int64)),
                        "date": pa.array(start + micros.astype("timedelta64[us]")),
                        "amount": pa.array(np.round(rng.gamma(2.0, 20.0, size), 2)),
                    },
                    schema=schema,
                )
                writer.write_table(table, row_group_size=ROWS_PER_GROUP)
                left -= size
        written += in_file
        part += 1
    done.write_text(json.dumps({"rows": rows, "seed": SEED, "files": part}))


# --- one engine, in its own process -------------------------------------------------


def _timed(step: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = step()
    return result, time.perf_counter() - began


def _reader(
    engine: str,
    folder: Path,
    worker_memory: str,
    partition_rows: int,
    duckdb_memory: str | None = None,
) -> tuple[Callable[[], Any], Any]:
    """The engine's lazy read of the files, and what must be closed afterwards."""
    glob = str(folder / "*.parquet")
    if engine == "pandas":
        import pandas as pd

        return lambda: pd.read_parquet(folder), None
    if engine == "polars":
        import polars as pl

        return lambda: pl.scan_parquet(glob), None
    if engine == "duckdb":
        import duckdb

        # DuckDB holds up to 80 % of the RAM by default; memory_limit bounds it.
        settings: dict[str, Any] = {} if duckdb_memory is None else {"memory_limit": duckdb_memory}
        connection = duckdb.connect(config=settings)
        return lambda: connection.read_parquet(glob), connection
    if engine == "dask":
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, memory_limit=worker_memory, processes=True
        )
        client = Client(cluster)  # type: ignore[no-untyped-call]

        # One partition per row group (1,000,000 rows): by default Dask would merge row
        # groups into partitions of about 256 MiB, too large for the workers' limit.
        # Dask 2026.8 fails on rfm_summary's join with a KeyError from 11 partitions on,
        # where its group-by by two keys gets split_out > 1 (a Dask bug, reproduced
        # without salescore), so logs of more than 10,000,000 rows fail there for now.
        def read() -> Any:
            frame = dd.read_parquet(glob, split_row_groups=True)
            if partition_rows < ROWS_PER_GROUP:
                parts = frame.npartitions * -(-ROWS_PER_GROUP // partition_rows)
                frame = frame.repartition(npartitions=parts)
            return frame

        return read, (client, cluster)
    if engine == "spark":
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .appName("salescore-scale")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        return lambda: spark.read.parquet(glob), spark
    raise ValueError(f"unknown engine {engine!r}")


def _compare_duckdb(connection: Any, folder: Path, repeat: int) -> dict[str, Any]:
    """Best times of rfm_summary on DuckDB and of the hand SQL, and their equality."""
    import numpy as np
    import pandas as pd

    from salescore.models.rfm import rfm_summary

    glob = str(folder / "*.parquet")

    def ours() -> pd.DataFrame:
        frame = connection.read_parquet(glob)
        return rfm_summary(frame, amount="amount", freq="D", time_unit="W")

    def hand() -> pd.DataFrame:
        result: pd.DataFrame = connection.execute(HAND_SQL, {"files": glob}).df()
        return result

    library: list[float] = []
    bare: list[float] = []
    summary = pd.DataFrame()
    query = pd.DataFrame()
    for _ in range(repeat):
        summary, seconds = _timed(ours)
        library.append(seconds)
        query, seconds = _timed(hand)
        bare.append(seconds)
    query = query.set_index("customer_id")
    same_ids = bool(np.array_equal(summary.index.to_numpy(), query.index.to_numpy()))
    checks = {"customers": same_ids}
    if same_ids:
        checks["frequency"] = bool(
            np.array_equal(summary["frequency"].to_numpy(), query["frequency"].to_numpy())
        )
        for column in ("recency", "T", "monetary_value"):
            checks[column] = bool(
                np.allclose(
                    summary[column].to_numpy(dtype=np.float64),
                    query[column].to_numpy(dtype=np.float64),
                    rtol=1e-9,
                    atol=1e-9,
                )
            )
    return {
        "rfm_summary_s": min(library),
        "hand_sql_s": min(bare),
        "ratio": min(library) / min(bare),
        "repeat": repeat,
        "equal": all(checks.values()),
        "checks": checks,
    }


def run_engine(
    engine: str,
    folder: Path,
    worker_memory: str,
    partition_rows: int,
    repeat: int,
    duckdb_memory: str | None = None,
) -> dict[str, Any]:
    """Read, reduce, compress and fit on one engine; times in s and peaks in MB."""
    import numpy as np

    from salescore.models.bgnbd import fit_bgnbd
    from salescore.models.rfm import compress, rfm_summary
    from salescore.retention import cohort_retention, retention_by_period, usage_summary

    fit_bgnbd([1.0, 0.0, 3.0], [2.0, 0.0, 5.0], [6.0, 4.0, 6.0])  # SciPy's import, untimed
    read, resources = _reader(engine, folder, worker_memory, partition_rows, duckdb_memory)
    result: dict[str, Any] = {"engine": engine}
    try:
        frame, result["read_s"] = _timed(read)
        summary, result["reduce_s"] = _timed(
            lambda: rfm_summary(frame, amount="amount", freq="D", time_unit="W")
        )
        rows, result["compress_s"] = _timed(
            lambda: compress(summary["frequency"], summary["recency"], summary["T"])
        )
        model, result["fit_s"] = _timed(
            lambda: fit_bgnbd(rows["frequency"], rows["recency"], rows["T"], weights=rows["weight"])
        )
        result["customers"] = len(summary)
        result["compressed_rows"] = len(rows)
        result["model"] = {name: float(getattr(model, name)) for name in ("r", "alpha", "a", "b")}
        result["total_s"] = sum(result[k] for k in ("read_s", "reduce_s", "compress_s", "fit_s"))
        result["repeat_customers"] = int(np.count_nonzero(summary["frequency"].to_numpy()))
        # The monthly cohort table, growth accounting and usage of the same frame; their
        # totals are printed so that the engines can be compared with pandas.
        began = time.perf_counter()
        cohorts = cohort_retention(frame, normalize=False)
        flows = retention_by_period(frame)
        usage = usage_summary(frame)
        result["retention_s"] = time.perf_counter() - began
        result["retention_totals"] = [
            int(cohorts.fillna(0.0).to_numpy().sum()),
            int(flows["active"].sum()),
            int(usage["events"].sum()),
        ]
        if engine == "duckdb":
            result["hand_sql"] = _compare_duckdb(resources, folder, repeat)
        if engine == "dask":
            client = resources[0]
            peaks = client.run(_peak_mb)
            result["worker_peak_mb"] = sorted(float(v) for v in peaks.values())
        if engine == "spark":
            gateway = resources.sparkContext._gateway
            process = getattr(gateway, "proc", None)
            if process is not None:
                result["jvm_peak_mb"] = _hwm_mb(process.pid)
    finally:
        if engine == "dask":
            resources[0].close()
            resources[1].close()
        elif engine == "spark":
            resources.stop()
        elif engine == "duckdb":
            resources.close()
    result["peak_mb"] = _peak_mb()
    return result


# --- the parent: generate, run each engine, print -------------------------------------


def _child(arguments: argparse.Namespace, engine: str, rows: int) -> dict[str, Any]:
    folder = data_dir(arguments.dir, rows)
    command = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--rows",
        str(rows),
        "--dir",
        str(arguments.dir),
        "--worker-memory",
        arguments.worker_memory,
        "--repeat",
        str(arguments.repeat),
        "--dask-partition-rows",
        str(arguments.dask_partition_rows),
        *([] if arguments.duckdb_memory is None else ["--duckdb-memory", arguments.duckdb_memory]),
    ]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stderr)
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return {
            "engine": engine,
            "rows": rows,
            "error": f"exit {done.returncode}: " + last[:160],
            "process_s": wall,
        }
    result: dict[str, Any] = json.loads(lines[-1])
    result["rows"] = rows
    result["process_s"] = wall
    result["files"] = len(list(folder.glob("*.parquet")))
    return result


def _row(result: dict[str, Any]) -> str:
    rows = _label(result["rows"])
    if "error" in result:
        return f"| {result['engine']} | {rows} | failed: {result['error']} | | | | | | | | |"
    peak = f"{result['peak_mb']:,.0f}"
    if "worker_peak_mb" in result:
        peak += " / workers " + ", ".join(f"{v:,.0f}" for v in result["worker_peak_mb"])
    if result.get("jvm_peak_mb") is not None:
        peak += f" / JVM {result['jvm_peak_mb']:,.0f}"
    times = " | ".join(
        f"{result[k]:.2f}" for k in ("read_s", "reduce_s", "compress_s", "fit_s", "total_s")
    )
    totals = "/".join(f"{total:,}" for total in result["retention_totals"])
    return (
        f"| {result['engine']} | {rows} | {result['customers']:,} | {times} | {peak} "
        f"| {result['retention_s']:.2f} | {totals} |"
    )


def report(results: list[dict[str, Any]]) -> None:
    print(
        "| engine | rows | customers | read s | reduce s | compress s | fit s | total s "
        "| peak MB (process / per worker) | cohorts+growth+usage s | their totals |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for result in results:
        print(_row(result))
    compared = [r for r in results if "hand_sql" in r]
    if compared:
        print()
        print("| rows | rfm_summary(duckdb) s | hand SQL s | ratio | equal | runs |")
        print("|---|---:|---:|---:|---|---:|")
        for result in compared:
            hand = result["hand_sql"]
            print(
                f"| {_label(result['rows'])} | {hand['rfm_summary_s']:.2f} "
                f"| {hand['hand_sql_s']:.2f} | {hand['ratio']:.2f}× "
                f"| {'yes' if hand['equal'] else 'NO ' + json.dumps(hand['checks'])} "
                f"| {hand['repeat']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="append", type=_count, help="e.g. 10M (repeatable)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "salescore-scale")
    parser.add_argument("--pandas-max", type=_count, default=100_000_000)
    parser.add_argument("--worker-memory", default="1GiB", help="Dask memory limit per worker")
    parser.add_argument(
        "--dask-partition-rows",
        type=_count,
        default=ROWS_PER_GROUP,
        help="rows per Dask partition (at most one row group)",
    )
    parser.add_argument(
        "--duckdb-memory", help="DuckDB's memory_limit, e.g. 2GB (default: 80 %% of the RAM)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="DuckDB comparison runs (best)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sizes: list[int] = arguments.rows or [10_000_000]
    if arguments.child:
        folder = data_dir(arguments.dir, sizes[0])
        result = run_engine(
            arguments.child,
            folder,
            arguments.worker_memory,
            arguments.dask_partition_rows,
            arguments.repeat,
            arguments.duckdb_memory,
        )
        print(json.dumps(result))
        return
    if arguments.generate:
        generate(data_dir(arguments.dir, sizes[0]), sizes[0])
        return
    engines = [name.strip() for name in arguments.engines.split(",") if name.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engines {unknown}; choose from {', '.join(ENGINES)}")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; Dask: 2 workers x 1 "
        f"thread, {arguments.worker_memory} each, partitions of "
        f"{arguments.dask_partition_rows:,} rows; Spark local[2]"
    )
    results: list[dict[str, Any]] = []
    for rows in sizes:
        folder = data_dir(arguments.dir, rows)
        # Generated in a subprocess, so that this process stays small: its resident set
        # would otherwise be counted in the peaks of the processes it starts.
        began = time.perf_counter()
        command = [sys.executable, __file__, "--generate", "--rows", str(rows)]
        subprocess.run([*command, "--dir", str(arguments.dir)], check=True)
        generated = time.perf_counter() - began
        size = sum(path.stat().st_size for path in folder.glob("*.parquet"))
        print(
            f"{rows:,} rows in {folder} ({size / 2**20:,.0f} MB of Parquet, "
            f"{rows * ROW_BYTES / 2**20:,.0f} MB in memory; ready in {generated:.0f} s)",
            flush=True,
        )
        for engine in engines:
            if engine == "pandas" and rows > arguments.pandas_max:
                continue
            result = _child(arguments, engine, rows)
            results.append(result)
            print(f"  {_row(result)}  [{result['process_s']:.0f} s]", flush=True)
    print()
    report(results)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
