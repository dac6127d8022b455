"""Turning a job request (JSON from ``POST /v1/jobs``) into what the trainer needs: one site with a
decision, a dataset, a base model and options. All validation lives here, so a malformed request is
rejected with a clear 4xx message at submit time rather than failing later in a worker.

Nothing in a request can name a filesystem path: the output directory is chosen by the service,
dataset and base-model names are plain identifiers, and option values that look like paths are
refused, so a request can never reach outside the service's data directory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chameleon_server.abstract import Abstract, AbstractFormatError, Site

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$")
MAX_SOURCE_CHARS = 2_000_000
_PATHY_OPTION = re.compile(r"(^[~/\\])|(\.\.)|([\\/])")


class JobRequest(BaseModel):
    """``POST /v1/jobs`` body (documentation for /openapi.json; validation is :func:`build_spec`)."""

    model_config = ConfigDict(extra="allow")
    abstract: dict[str, Any] | None = Field(None, description="a decision abstract (format v1) or one site")
    site: int | None = Field(None, description="index of the site in the abstract (needed when several have decisions)")
    app_source: str | None = Field(None, description="an app's Python source, analysed by the service")
    app_filename: str | None = Field("app.py", description="the source's file name (base name only)")
    line: int | None = Field(None, description="1-based line of the call to customize, with app_source")
    dataset: str | None = Field(None, description="a dataset from GET /v1/datasets; default: the first serving the api")
    base_model: str | None = None
    seed: int = 0
    options: dict[str, Any] = Field(default_factory=dict, description='trainer options, e.g. {"tiny": true}')


class BadJobRequest(ValueError):
    """The request cannot become a job; the message says why (becomes HTTP 400)."""


@dataclass
class JobSpec:
    site: Site
    dataset: str
    base_model: str | None = None
    seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    base_model_dir: str | None = None  # set by the service from base_model (a model id it holds)

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site.to_dict(), "dataset": self.dataset, "base_model": self.base_model,
                "seed": self.seed, "options": self.options, "base_model_dir": self.base_model_dir}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "JobSpec":
        return cls(site=Site.from_dict(d["site"]), dataset=d["dataset"], base_model=d.get("base_model"),
                   seed=int(d.get("seed") or 0), options=dict(d.get("options") or {}),
                   base_model_dir=d.get("base_model_dir"))


def _check_name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise BadJobRequest(f"{what} must be a plain name (letters, digits, '_.:+-'), got {value!r}")
    return value


def _check_options(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise BadJobRequest("options must be a JSON object")

    def walk(v: Any, where: str) -> None:
        if isinstance(v, str) and _PATHY_OPTION.search(v):
            raise BadJobRequest(f"option {where} looks like a path ({v!r}); requests cannot name files")
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{where}.{k}")
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{where}[{i}]")

    for k, v in options.items():
        walk(v, str(k))
    if len(json.dumps(options)) > 10_000:
        raise BadJobRequest("options are too large")
    return options


def _sites_from_source(source: str, filename: str) -> list[Site]:
    if not isinstance(source, str) or not source.strip():
        raise BadJobRequest("app_source is empty")
    if len(source) > MAX_SOURCE_CHARS:
        raise BadJobRequest(f"app_source is larger than {MAX_SOURCE_CHARS} characters")
    filename = Path(str(filename or "app.py")).name  # only the base name is kept: never a path
    try:
        from chameleon_server.analyzer import analyze_source  # type: ignore[attr-defined]
    except ImportError:
        raise BadJobRequest("this service's analyzer cannot read app sources yet; send an abstract instead") from None
    try:
        return list(analyze_source(source, filename))
    except Exception as e:  # the analyzer promises not to raise; be safe anyway
        raise BadJobRequest(f"could not analyse {filename}: {e}") from None


def _pick_site(sites: list[Site], index: Any, line: Any) -> Site:
    if not sites:
        raise BadJobRequest("the abstract has no ML API call sites")
    if index is not None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(sites):
            raise BadJobRequest(f"site must be an index in 0..{len(sites) - 1}, got {index!r}")
        site = sites[index]
    elif line is not None:
        if not isinstance(line, int) or isinstance(line, bool):
            raise BadJobRequest(f"line must be an integer, got {line!r}")
        at = [s for s in sites if s.line <= line <= max(s.end_line, s.line)]
        if not at:
            lines = ", ".join(str(s.line) for s in sites)
            raise BadJobRequest(f"no ML API call at line {line} (calls are at lines {lines})")
        site = at[0]
    else:
        with_dec = [s for s in sites if s.decision is not None]
        if len(with_dec) == 1:
            site = with_dec[0]
        elif not with_dec:
            site = sites[0]
        else:
            where = ", ".join(f"{i}: {s.api} at line {s.line}" for i, s in enumerate(sites) if s.decision)
            raise BadJobRequest(f"the abstract has {len(with_dec)} sites with decisions; choose one with 'site' ({where})")
    if site.decision is None:
        raise BadJobRequest(
            f"the {site.api} call at line {site.line} has no decision (its output is not branched on), "
            "so there is nothing to customize for"
        )
    if not site.decision.categories:
        raise BadJobRequest(f"the decision at line {site.line} has no categories")
    return site


def default_dataset(api: str, datasets: list[dict[str, Any]]) -> str | None:
    """The first registered dataset that serves ``api`` (the trainer's registry order is its preference)."""
    for d in datasets:
        if api in (d.get("apis") or []):
            return d.get("name")
    return None


def build_spec(body: Any, datasets: list[dict[str, Any]] | None) -> JobSpec:
    """Validate a ``POST /v1/jobs`` body; ``datasets`` is ``api.list_datasets()`` (None: not checked)."""
    if not isinstance(body, dict):
        raise BadJobRequest("the request body must be a JSON object")
    if "abstract" in body and body["abstract"] is not None:
        try:
            sites = Abstract.from_dict(body["abstract"]).sites
        except (AbstractFormatError, TypeError, ValueError, AttributeError, KeyError) as e:
            # the contract's parser is strict on the common shapes; anything stranger still gets a 400
            raise BadJobRequest(f"invalid abstract: {e}") from None
    elif "app_source" in body and body["app_source"] is not None:
        sites = _sites_from_source(body["app_source"], body.get("app_filename") or "app.py")
    else:
        raise BadJobRequest("a job needs an 'abstract' (a decision abstract or one site) or an 'app_source'")
    site = _pick_site(sites, body.get("site"), body.get("line"))

    dataset = body.get("dataset")
    if dataset is None:
        dataset = default_dataset(site.api, datasets or [])
        if dataset is None:
            raise BadJobRequest(f"no dataset given and none is registered for {site.api}")
    _check_name("dataset", dataset)
    if datasets is not None:
        known = {d.get("name"): d for d in datasets}
        if dataset not in known:
            raise BadJobRequest(f"unknown dataset {dataset!r}; known: {', '.join(sorted(map(str, known)))}")
        apis = known[dataset].get("apis")
        if apis and site.api not in apis:
            raise BadJobRequest(f"dataset {dataset!r} does not serve {site.api} (it serves {', '.join(apis)})")
    base_model = body.get("base_model")
    if base_model is not None:
        _check_name("base_model", base_model)
    seed = body.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise BadJobRequest("seed must be an integer")
    return JobSpec(site=site, dataset=dataset, base_model=base_model, seed=seed, options=_check_options(body.get("options")))
