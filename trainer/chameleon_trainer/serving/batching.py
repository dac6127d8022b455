"""A micro-batcher: concurrent requests for the same model are merged into one batched call.

Each request submits its items (images or texts); a single drain task per batcher waits a couple of
milliseconds for others to join, runs the model once on up to ``max_batch`` items in a worker thread,
and hands each request its slice. One call at a time per batcher also means a predictor is never
entered from two threads at once. If a merged batch fails, each request is retried alone so one bad
input cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Generic, Sequence, TypeVar

X = TypeVar("X")
Y = TypeVar("Y")


class MicroBatcher(Generic[X, Y]):
    def __init__(self, fn: Callable[[list[X]], Sequence[Y]], max_batch: int = 64, max_wait_s: float = 0.002):
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._pending: list[tuple[list[X], asyncio.Future[list[Y]]]] = []
        self._task: asyncio.Task[None] | None = None
        self.calls = 0  # model invocations (for tests and the benchmark)

    async def submit(self, items: list[X]) -> list[Y]:
        if not items:
            return []
        fut: asyncio.Future[list[Y]] = asyncio.get_running_loop().create_future()
        self._pending.append((list(items), fut))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(self.max_wait_s)
            batch: list[tuple[list[X], asyncio.Future[list[Y]]]] = []
            n = 0
            while self._pending and (n == 0 or n + len(self._pending[0][0]) <= self.max_batch):
                items, fut = self._pending.pop(0)
                batch.append((items, fut))
                n += len(items)
            flat = [x for items, _ in batch for x in items]
            try:
                self.calls += 1
                out = list(await asyncio.to_thread(self.fn, flat))
                if len(out) != len(flat):
                    raise RuntimeError(f"model returned {len(out)} results for {len(flat)} inputs")
            except Exception as e:
                if len(batch) == 1:
                    _set(batch[0][1], exc=e)
                    continue
                for items, fut in batch:  # isolate the failing request
                    try:
                        self.calls += 1
                        _set(fut, list(await asyncio.to_thread(self.fn, items)))
                    except Exception as e2:
                        _set(fut, exc=e2)
                continue
            i = 0
            for items, fut in batch:
                _set(fut, out[i:i + len(items)])
                i += len(items)


def _set(fut: asyncio.Future[Any], result: Any = None, exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)
