"""Serving latency and throughput: the model behind the Google Vision wire format (real
google-cloud-vision REST client, real HTTP to a `chameleon trainer serve` child process) against
calling the same model in-process.

    python bench/serving_latency.py [--model generic-fashion-scenes] [--requests 200] [--concurrency 8]

Prints p50/p99 latency of single-image requests (sequential), throughput with N concurrent clients
(the service's micro-batcher merges their requests), and the ratios to in-process calls. The two
sides are measured interleaved, so other load on the machine hits both alike. Inputs are
held-out Fashion-MNIST scenes. Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="generic-fashion-scenes", help="a model id the service can serve")
    ap.add_argument("--requests", type=int, default=120)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--batch", type=int, default=32, help="batch size for the in-process throughput")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads, the same on both sides (1: steadier on a shared machine)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    threads = str(args.threads)
    if os.environ.get("OMP_NUM_THREADS") != threads:
        # Same thread setup on both sides, fixed before torch starts (set_num_threads later is not the same).
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads})

    from google.cloud import vision
    from google.oauth2.credentials import Credentials

    from chameleon_server.trainer_client import start_local_service
    from chameleon_trainer.api import load_predictor
    from chameleon_trainer.service.heldout import fashion_scenes
    from chameleon_trainer.service.models import GENERIC_PREFIX
    from chameleon_trainer.service.runner import generic_model_dir

    model_id = args.model
    if not model_id.startswith(GENERIC_PREFIX):
        raise SystemExit("this benchmark serves a generic model (generic-<dataset>[-tiny])")
    model_dir = generic_model_dir(model_id[len(GENERIC_PREFIX):])
    if not (model_dir / "meta.json").exists():
        raise SystemExit(f"{model_dir} is not built yet (run a customize job for that dataset first)")
    images = [b for b, _ in fashion_scenes(max(args.requests, args.batch * 4), seed=99)]
    n = args.requests

    # Both sides are measured interleaved (request by request, round by round) so that load from
    # anything else on the machine hits them alike.
    import torch

    torch.set_num_threads(args.threads)
    pred = load_predictor(model_dir)
    data = Path(tempfile.mkdtemp(prefix="chameleon-bench-"))
    svc = start_local_service(data, startup_timeout=120,
                              env={"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads})
    try:
        base = f"{svc.url}/serve/{model_id}"

        def client() -> vision.ImageAnnotatorClient:
            return vision.ImageAnnotatorClient(transport="rest", client_options={"api_endpoint": base},
                                               credentials=Credentials(token=svc.token))

        c = client()
        for b in images[:5]:  # warm-up (the service loads the model on first use)
            pred.predict_images([b])
            c.label_detection(image=vision.Image(content=b))
        lat_in, lat_http = [], []
        for i, b in enumerate(images[:n]):
            for side in ((0, 1) if i % 2 else (1, 0)):
                t = time.perf_counter()
                if side == 0:
                    pred.predict_images([b])
                else:
                    c.label_detection(image=vision.Image(content=b))
                (lat_in if side == 0 else lat_http).append(time.perf_counter() - t)

        clients = [client() for _ in range(args.concurrency)]

        def one(i: int) -> None:
            clients[i % args.concurrency].label_detection(image=vision.Image(content=images[i % len(images)]))

        thr_in_r, thr_http_r = [], []
        per_round = max(args.batch, n // 3)
        with ThreadPoolExecutor(args.concurrency) as pool:
            for r in range(3):
                chunk = images[r * per_round:(r + 1) * per_round] or images[:per_round]
                t = time.perf_counter()
                for i in range(0, len(chunk), args.batch):
                    pred.predict_images(chunk[i:i + args.batch])
                thr_in_r.append(len(chunk) / (time.perf_counter() - t))
                t = time.perf_counter()
                list(pool.map(one, range(r * per_round, r * per_round + len(chunk))))
                thr_http_r.append(len(chunk) / (time.perf_counter() - t))
        thr_in, thr_http = statistics.median(thr_in_r), statistics.median(thr_http_r)
    finally:
        svc.stop()

    res = {
        "model": model_id, "requests": n, "torch_threads": args.threads, "concurrency": args.concurrency, "batch_in_process": args.batch,
        "in_process_p50_ms": 1000 * statistics.median(lat_in), "in_process_p99_ms": 1000 * pct(lat_in, 99),
        "http_p50_ms": 1000 * statistics.median(lat_http), "http_p99_ms": 1000 * pct(lat_http, 99),
        "in_process_throughput_ips": thr_in, "http_throughput_ips": thr_http,
    }
    res["p50_ratio_http_over_in_process"] = res["http_p50_ms"] / res["in_process_p50_ms"]
    res["throughput_ratio_http_over_in_process"] = thr_http / thr_in
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"model {model_id}, {n} held-out scenes, single-image requests (interleaved in-process / HTTP), "
          f"{args.threads} torch thread(s) each side")
    print(f"  in-process  p50 {res['in_process_p50_ms']:7.2f} ms   p99 {res['in_process_p99_ms']:7.2f} ms")
    print(f"  HTTP (google-cloud-vision REST client -> service)")
    print(f"              p50 {res['http_p50_ms']:7.2f} ms   p99 {res['http_p99_ms']:7.2f} ms   "
          f"ratio p50 {res['p50_ratio_http_over_in_process']:.2f}x")
    print(f"  throughput  in-process batched ({args.batch}) {thr_in:8.1f} images/s")
    print(f"              HTTP, {args.concurrency} concurrent clients {thr_http:8.1f} images/s   "
          f"ratio {res['throughput_ratio_http_over_in_process']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
