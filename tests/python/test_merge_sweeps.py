"""quddpm.merge_sweeps keeps epochs.csv's epoch-0 rows as epoch0.csv (what git keeps of large
sweeps): the same rows as a filter of epochs.csv, derived for an input that has only epochs.csv,
and merged from an input that has only epoch0.csv."""
import csv
import os
import subprocess
import sys

from quddpm import tidy_csv

SCRIPTS = os.path.dirname(os.path.dirname(tidy_csv.__file__))


def write(path, name, rows):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def sweep(path, seed):
    head = ["model", "n_data", "seed", "run_id", "t"]
    write(path, "cycles.csv", [head + ["mmd_to_data"]] +
          [["improved", "2", seed, f"r{seed}", t, "0.5"] for t in ("1", "0")])
    write(path, "epochs.csv", [head + ["epoch", "loss", "grad_norm"]] +
          [["improved", "2", seed, f"r{seed}", t, e, "0.1", f"{seed}.{t}{e}"]
           for t in ("1", "0") for e in ("0", "1", "2")])


def merge(out, *inputs):
    subprocess.run([sys.executable, "-m", "quddpm.merge_sweeps", out, *inputs], check=True,
                   capture_output=True, env=dict(os.environ, PYTHONPATH=SCRIPTS))


def test_epoch0_is_the_epoch_zero_rows_of_epochs(tmp_path):
    a, b, out = str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "out")
    sweep(a, "1")
    sweep(b, "2")
    merge(out, a, b)
    _, epochs = tidy_csv.read(os.path.join(out, "epochs.csv"))
    header, epoch0 = tidy_csv.read(os.path.join(out, tidy_csv.EPOCH0))
    assert epoch0 == [r for r in epochs if r["epoch"] == "0"] and len(epoch0) == 4
    assert header == list(epochs[0])


def test_an_input_with_only_epoch0_merges_into_the_same_epoch0(tmp_path):
    a, b, out, again = (str(tmp_path / x) for x in ("a", "b", "out", "again"))
    sweep(a, "1")
    sweep(b, "2")
    merge(out, a, b)
    merge(str(tmp_path / "b0"), b)      # b's epoch0.csv, then b without epochs.csv
    os.remove(os.path.join(tmp_path, "b0", "epochs.csv"))
    merge(again, a, str(tmp_path / "b0"))
    assert tidy_csv.read(os.path.join(again, tidy_csv.EPOCH0)) == \
        tidy_csv.read(os.path.join(out, tidy_csv.EPOCH0))
    assert len(tidy_csv.read(os.path.join(again, "epochs.csv"))[1]) == 6   # a's rows only
