"""Hyperparameter sweep on the VALIDATION split (seed 0) that chose the per-dataset defaults in
chameleon_trainer/customize.py. Prints one JSON row per (app, setting) and writes bench/tuning_validation.json.

    /work/venv/bin/python bench/tune_validation.py
"""
import json, sys, itertools, time
from pathlib import Path
import torch
torch.set_num_threads(1)
from chameleon_server.abstract import Abstract
from chameleon_trainer.api import CustomizeRequest, customize, default_dataset
GRID = {"fashion-scenes": [(6, 5e-4), (12, 5e-4), (12, 1e-3)], "fortunes": [(40, 1e-3), (80, 1e-3), (80, 3e-3)], "vader": [(20, 5e-4), (40, 5e-4), (40, 1e-3)]}
res = []
for app in sorted(Path("examples/suite").glob("*.abstract.json")):
    site = Abstract.load(app).with_decisions()[0]
    ds = default_dataset(site.api)
    for (ep, lr), gw in itertools.product(GRID[ds], (0.05, 0.2)):
        out = customize(CustomizeRequest(site=site, dataset=ds, out_dir=Path("runs/tune/m"), seed=0,
                                         options={"epochs": ep, "lr": lr, "generic_weight": gw}))
        v = json.loads((out / "metrics.json").read_text())["val_errors"]
        r = {"app": app.name.split(".")[0], "ds": ds, "epochs": ep, "lr": lr, "gw": gw, "val_basic": v["basic"], "val_customized": v["customized"], "val_generic": v["generic"], "val_calibrated": v["calibrated"]}
        res.append(r); print(json.dumps(r), flush=True)
json.dump(res, open("bench/tuning_validation.json", "w"))
