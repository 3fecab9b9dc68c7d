"""An open-loop load generator: ``POST /match`` at a fixed rate, whatever the server's answers take.

wrk only runs closed loops (a connection sends its next request when the last one has answered), and
wrk2, which keeps a rate, is not packaged in Debian; so this is a small asyncio client over raw
HTTP/1.1 keep-alive connections (no HTTP library: less of our own overhead on 2 shared cores).
Request i is due at ``i / rate`` seconds; its latency counts from that moment, so time spent waiting
for a free connection (the server falling behind) is in the figures, not hidden (coordinated omission).
The generator's own CPU time and how late it sent requests are reported, so its overhead is visible.

    python benchmarks/open_loop.py --port P --bodies FILE --rate 200 --seconds 60   # prints one JSON line
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from pathlib import Path

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
KEEP_ALIVE = 4.0


def requests(path: Path) -> list[bytes]:
    head = "POST /match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n"
    bodies = [line.encode() for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [head.format(len(body)).encode() + body for body in bodies]


async def answer_status(reader: asyncio.StreamReader) -> int:
    """The status of one response, its body read and dropped (uvicorn always sends Content-Length here)."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    length = next((int(h.split(":")[1]) for h in head if h.lower().startswith("content-length:")), 0)
    await reader.readexactly(length)
    return int(head[0].split()[1])


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 in milliseconds of durations in seconds (None when there are none)."""
    ordered = sorted(values)
    at = lambda p: round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1)  # noqa: E731
    return {f"p{p}_ms": at(p) if ordered else None for p in (50, 95, 99)}


def fresh(idle: list[tuple[float, Connection]], now: float) -> Connection | None:
    """The most recently used idle connection; older than 4 s ones are closed (uvicorn drops them at 5 s)."""
    while idle:
        used, connection = idle.pop()
        if now - used < KEEP_ALIVE:
            return connection
        connection[1].close()
    return None


async def run(port: int, payloads: list[bytes], rate: float, seconds: float, max_connections: int) -> dict:
    loop = asyncio.get_running_loop()
    idle: list[tuple[float, Connection]] = []
    slots = asyncio.Semaphore(max_connections)
    latency: list[float] = []
    service: list[float] = []
    late: list[float] = []
    errors: dict[str, int] = {}

    async def one(i: int, due: float) -> None:
        async with slots:
            sent = loop.time()
            late.append(sent - due)
            try:
                reader, writer = fresh(idle, sent) or await asyncio.open_connection("127.0.0.1", port)
                writer.write(payloads[i % len(payloads)])
                status = await answer_status(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                return
            done = loop.time()
            idle.append((done, (reader, writer)))
            if status != 200:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
                return
            latency.append(done - due)
            service.append(done - sent)

    total = int(rate * seconds)
    start = loop.time()
    tasks = []
    for i in range(total):
        due = start + i / rate
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        tasks.append(asyncio.create_task(one(i, due)))
    finished, pending = await asyncio.wait(tasks, timeout=60)
    elapsed = loop.time() - start
    for task in pending:
        task.cancel()
    for _, (_, writer) in idle:
        writer.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "target_rps": rate,
        "sent": total,
        "ok": len(latency),
        "errors": sum(errors.values()) + len(pending),
        "error_kinds": {**errors, **({"unanswered after 60 s": len(pending)} if pending else {})},
        "achieved_rps": round(len(latency) / elapsed, 1),
        "seconds": round(elapsed, 1),
        **percentiles(latency),
        "service": percentiles(service),
        "send_late_p99_ms": percentiles(late)["p99_ms"],
        "generator_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bodies", type=Path, required=True, help="JSON bodies, one a line")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-connections", type=int, default=256)
    args = parser.parse_args()
    started = time.perf_counter()
    report = asyncio.run(run(args.port, requests(args.bodies), args.rate, args.seconds, args.max_connections))
    report["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
