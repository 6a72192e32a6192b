"""quddpm.runs.load on hand-built sweep and run folders (numbers known by construction) and on a
real run of the binary (QUDDPM_BIN), whose loaded numbers must be its own CSVs' and whose
computed floor must be quddpm.kl_floor's."""
import json
import math
import os
import subprocess

import pytest

from quddpm import kl_floor, runs

CYCLES = "model,n_data,seed,run_id,t,mmd_to_data,kl_to_data,mmd_to_haar,mean_grad_norm\n"
EPOCHS = "model,n_data,seed,run_id,t,epoch,loss,grad_norm\n"


def write(path, name, text):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "w") as f:
        f.write(text)


def fake_sweep(path):
    """Two improved seeds whose MMD falls by 0.5 and 0.7 and one original seed (gain 0.01)."""
    c, e = CYCLES, EPOCHS
    for model, seed, gen in (("improved", 1, 0.4), ("improved", 2, 0.2), ("original", 1, 0.89)):
        rid = f"{model}{seed}"
        c += f"{model},2,{seed},{rid},2,0.9,1.5,0.1,nan\n"
        c += f"{model},2,{seed},{rid},1,0.7,1.2,0.2,0.3\n"
        c += f"{model},2,{seed},{rid},0,{gen},1.0,0.3,0.5\n"
        e += f"{model},2,{seed},{rid},1,0,0.7,{seed / 8}\n{model},2,{seed},{rid},0,0,0.7,9\n"
    write(path, "cycles.csv", c)
    write(path, "epochs.csv", e)
    write(path, "floor.csv", "model,n_data,seed,kl_floor\nimproved,2,1,1.25\n"
                             "improved,2,2,1.5\noriginal,2,1,0.5\n")
    write(path, "merged.json", json.dumps({"complete": True, "inputs": [], "run_ids": []}))


def test_a_sweep_loads_its_traces_runs_and_verdicts(tmp_path):
    fake_sweep(str(tmp_path))
    out = runs.load(str(tmp_path))
    assert out.kind == "sweep" and set(out.traces) == {"cycles", "epochs", "floor"}
    assert out.manifest["complete"] is True and len(out.floor) == 3
    r = out.runs.set_index(["model", "seed"])
    assert r.loc[("improved", 2), "mmd_gen"] == 0.2 and r.loc[("improved", 2), "mmd_prior"] == 0.9
    assert r.loc[("improved", 2), "grad_init"] == 0.25          # epoch 0 of t = 1, the largest
    assert r.loc[("improved", 1), "grad_mean"] == pytest.approx(0.4)   # mean of t = 1, 0
    assert r.loc[("original", 1), "kl_floor"] == 0.5
    v = out.verdicts.set_index("model")
    assert v.loc["improved", "seeds"] == 2
    assert v.loc["improved", "mmd_gain"] == pytest.approx(0.6)  # gains 0.5 and 0.7
    assert v.loc["improved", "mmd_gain_sd"] == pytest.approx(math.sqrt(0.02))
    assert bool(v.loc["improved", "beats_prior"]) is True       # 0.6 > 0.141
    assert bool(v.loc["improved", "beats_floor"]) is True       # floor gains 0.25, 0.5: 0.375 > 0.177
    assert bool(v.loc["original", "beats_prior"]) is False      # one seed, 0.01 < margin 0.02
    assert bool(v.loc["original", "beats_floor"]) is False      # 0.5 - 1.0 < 0


def test_a_folder_without_cycles_is_refused_with_its_name(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        runs.load(str(tmp_path))


@pytest.mark.skipif(not os.environ.get("QUDDPM_BIN"), reason="QUDDPM_BIN names no binary")
def test_a_real_run_loads_its_own_numbers_and_floor(tmp_path):
    out_dir = str(tmp_path / "run")
    config = {"model": "improved", "seed": 3, "qubits": {"data": 1, "ancilla": 1},
              "diffusion": {"steps": 3},
              "training": {"samples": 16, "diffusion_size": 32, "epochs": 4, "learning_rate": 0.05}}
    write(str(tmp_path), "c.json", json.dumps(config))
    subprocess.run([os.environ["QUDDPM_BIN"], "train", str(tmp_path / "c.json"), "--out", out_dir,
                    "--quiet", "--threads", "1"], check=True, capture_output=True)
    out = runs.load(out_dir)
    assert out.kind == "run" and out.config["seed"] == 3 and out.manifest["run_id"]
    cycles = out.traces["cycles"]
    assert list(cycles["t"]) == sorted(cycles["t"], reverse=True) or set(cycles["t"]) == {0, 1, 2, 3}
    assert out.runs["mmd_gen"][0] == cycles.loc[cycles["t"] == 0, "mmd_to_data"].iloc[0]
    assert out.runs["mmd_prior"][0] == cycles.loc[cycles["t"] == 3, "mmd_to_data"].iloc[0]
    assert out.runs["kl_floor"][0] == kl_floor.floor_of_run(out_dir)["kl_floor"]
    assert out.runs["kl_floor"][0] <= out.runs["kl_prior"][0] + 1e-9
