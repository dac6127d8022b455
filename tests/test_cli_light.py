"""The editor-only install: a trainer command without the trainer extra explains itself."""

import subprocess
import sys
import textwrap


def test_trainer_command_without_the_extra_says_how_to_install_it(tmp_path):
    # Hide the trainer's dependencies the way an editor-only install lacks them.
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(textwrap.dedent('''
        import sys
        class _Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"torch", "tqdm", "numpy"}:
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None
        sys.meta_path.insert(0, _Block())
    '''))
    app = tmp_path / "app.py"
    app.write_text("x = 1\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "chameleon_server", "customize", str(app)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "pip install 'chameleon-api[trainer]'" in r.stderr
    assert "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "chameleon_server", "analyze", str(app)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
