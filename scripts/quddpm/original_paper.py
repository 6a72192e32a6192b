#!/usr/bin/python3
"""The original QuDDPM paper's experiments: quddpm's runs beside the official saved numbers.

Usage (Debian's /usr/bin/python3 with numpy and matplotlib):
  PYTHONPATH=scripts /usr/bin/python3 -m quddpm.original_paper --runs results/original_paper/runs \
      --out results/original_paper [--official PATH/TO/QuantGenMdl/data] [--bin build/quddpm]

--official reads the official repository's saved results (Francis-Hsu/QuantGenMdl, data/*.npy)
and writes what this page uses of them to OUT/official.json (with the file each number comes
from); without it OUT/official.json is read. --bin lets quddpm draw each QuDDPM run's test
ensemble (`generate` with a seed the run never used) for its test MMD, and each run's data.npy
where the folder has none (git keeps none: `quddpm config --target-out` draws it again from the
run's config, checked against the MMD to the data the run recorded).

Runs are folders RUNS/<experiment>_<adam|sgd>_s<seed> made by `quddpm train
configs/original_paper/<experiment>.json` (the command is in each folder's manifest.json).
Writes OUT/summary.json, OUT/summary.md (the side-by-side tables) and OUT/figures/*.png, and
OUT/loss_curves.csv: the loss curves of the learning-rate table, read back for runs without
epochs.csv (git keeps none), so that a clone rebuilds every table and figure.
"""
import argparse
import csv
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np

EXPERIMENTS = {
    # name: (official folder, official file stem, n, quantity plotted along t)
    "cluster_n1": ("cluster/n1", "QDDPMcluster0{}_n1na1T20L4_mmd", 1, "basis_fidelity:0"),
    "cluster_n2": ("cluster/n2", "QDDPMcluster0{}_n2na1T20L6_mmd", 2, "basis_fidelity:00"),
    "correlated_noise": ("noise", "QDDPMcorrNoise{}_n2na2T20L6_mmd", 2, "basis_fidelity:10"),
    "circle": ("circle", "QDDPMcircleY{}_n1na2T40L6_wd", 1, "pauli_squared:Y0"),
    "tfim_n4": ("phase", None, 4, "magnetization"),
    "qdt_cluster_n2": ("qdt", None, 2, None),
    "qgan_cluster_n2": ("qgan", None, 2, None),
}
OPTIMIZERS = ("adam", "sgd")
# Column groups: the original model with each optimizer, the improved model (folders
# improved_<experiment>_sgd_s<seed>: diffused prior, calibrated schedule, small init) and the
# improved model warm-started (warm_<experiment>_sgd_s<seed>: c = L, issue 27's variant), and
# the original model with quenched outcomes (quenched_<experiment>_<adam|sgd>_s<seed>:
# training.outcomes = quenched, the official code's fixed PRNG key).
# sgd_e<K>: the original model with the SGD schedule and K epochs per cycle, where the saved
# files hold another count than the notebook states (folders <experiment>_e<K>_sgd_s<seed>).
GROUPS = ("adam", "sgd", "sgd_e2500", "improved_sgd", "warm_sgd", "quenched_adam",
          "quenched_sgd")
# Each group's column header in summary.md.
GROUP_HEADERS = {
    "adam": "quddpm Adam 5e-4 train / test (seeds)",
    "sgd": "quddpm SGD schedule train / test (seeds)",
    "sgd_e2500": "SGD, the saved files' 2500 epochs (noise)",
    "improved_sgd": "improved model, SGD schedule, train / test (seeds)",
    "warm_sgd": "improved, warm start c = L, SGD schedule, train / test (seeds)",
    "quenched_adam": "quenched outcomes (the official code's fixed key), Adam 5e-4, train / test "
                     "(seeds)",
    "quenched_sgd": "quenched outcomes, SGD schedule, train / test (seeds)",
}


def mmd(a, b):
    """MMD with diagonals included (docs/model.md section 6; the official naturalDistance)."""
    def mean_sq(x, y):
        return float(np.mean(np.abs(np.conj(x) @ y.T) ** 2))
    return mean_sq(a, a) + mean_sq(b, b) - 2 * mean_sq(a, b)


def wasserstein(a, b):
    """Exact W between equal-size uniform sets (an optimal plan is a permutation), cost
    1 - |<a|b>|^2: what cycles.csv's wasserstein_to_data holds."""
    from scipy.optimize import linear_sum_assignment
    cost = 1 - np.abs(np.conj(a) @ b.T) ** 2
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def bloch(states):
    a, b = states[:, 0], states[:, 1]
    return np.stack([2 * np.real(np.conj(a) * b), 2 * np.imag(np.conj(a) * b),
                     np.abs(a) ** 2 - np.abs(b) ** 2], axis=1)


def quantity(states, name):
    """The per-state value of an observables.csv quantity, for the official ensembles."""
    if name.startswith("basis_fidelity:"):
        return np.abs(states[..., int(name.split(":")[1], 2)]) ** 2
    if name == "pauli_squared:Y0":
        return bloch(states.reshape(-1, 2))[:, 1].reshape(states.shape[:-1]) ** 2
    raise ValueError(name)


def mean_sd(x):
    x = np.asarray(x, dtype=float)
    return (float(np.mean(x)), float(np.std(x, ddof=1)) if len(x) > 1 else float("nan"))


# ---------------------------------------------------------------- the official numbers
def official_numbers(data):
    """What the page uses of the official data/*.npy, each with its source file."""
    out = {}

    def load(rel):
        return np.load(os.path.join(data, rel))

    for name, (folder, stem, n, q) in EXPERIMENTS.items():
        e = {"files": {}}
        if stem is not None:
            gen_file = f"{folder}/{stem.format('Genloss')}.npy"
            g = load(gen_file)  # rows: diffusion, training, test; columns t = 0..T
            e["files"]["distance_vs_t"] = gen_file
            e["distance"] = "wasserstein" if name == "circle" else "mmd"
            e["distance_vs_t"] = {"forward": g[0].tolist(), "backward": g[1].tolist(),
                                  "test": g[2].tolist()}
            e["final"] = {"train": float(g[1, 0]), "test": float(g[2, 0])}
            curves = {}
            for chain, part in (("backward", "trainGen"), ("test", "testGen")):
                f = f"{folder}/{stem.format(part)}.npy"
                v = quantity(load(f), q)
                curves[chain] = {"mean": v.mean(axis=1).tolist(), "sd": v.std(axis=1).tolist()}
                e["files"][f"{q} {chain}"] = f
            e["quantity"] = q
            e["quantity_vs_t"] = curves
            loss_file = f"{folder}/{stem.format('loss')}.npy"
            e["files"]["loss"] = loss_file
            loss = load(loss_file)
            # The loss curves of three cycles (the learning-rate comparison).
            e["loss_curves"] = {str(t): loss[t].astype(float).tolist() for t in (19, 10, 0)
                                if name == "cluster_n2"}
            if n == 1:
                f = f"{folder}/{stem.format('trainGen')}.npy"
                e["bloch_generated"] = bloch(load(f)[0].astype(np.complex128)).tolist()
        out[name] = e
    # TFIM: magnetization per state per t, and the generated states (its S_0 file is pickled).
    e = out["tfim_n4"]
    for chain, part in (("backward", "trainM"), ("test", "testM")):
        f = f"phase/QDDPMtfim{part}_n4na2T30L12N100.npy"
        m = load(f)
        e["files"][f"magnetization {chain}"] = f
        e.setdefault("quantity_vs_t", {})[chain] = {"mean": m.mean(axis=1).tolist(),
                                                    "sd": m.std(axis=1).tolist()}
        e.setdefault("magnetization_t0", {})[chain] = m[0].tolist()
    e["quantity"] = "magnetization"
    e["files"]["generated"] = "phase/QDDPMtfimtrainGen_n4na2T30L12N100.npy"
    e["files"]["test_generated"] = "phase/QDDPMtfimtestGen_n4na2T30L12N100.npy"
    for part in ("generated", "test_generated"):
        s = load(e["files"][part])[0].astype(np.complex128)
        e[part] = np.stack([s.real, s.imag], axis=-1).tolist()
    # QDT and QGAN: the generated states; their data law is the n = 2 cluster's, whose official
    # S_0 (the diffusion file's t = 0) is the reference.
    ref_file = "cluster/n2/cluster0Diff_n2T20_N1000.npy"
    ref = load(ref_file)[0]
    for name, train, test in (
            ("qdt_cluster_n2", "qdt/QDTcluster0trainGen_n2na1L120_mmd.npy",
             "qdt/QDTcluster0testGen_n2na1L120_mmd.npy"),
            ("qgan_cluster_n2", "qgan/QGANcluster0traingen_n2na1Lg120Lc16.npy",
             "qgan/QGANcluster0testgen_n2na1Lg120Lc16.npy")):
        a, b = load(train), load(test)
        if a.ndim == 3:  # QDT: [output, input]
            a, b = a[0], b[0]
        out[name]["files"].update({"generated": train, "test_generated": test, "data": ref_file})
        out[name]["distance"] = "mmd"
        out[name]["final"] = {"train": mmd(a, ref), "test": mmd(b, ref)}
        out[name]["f0"] = {"train": float(np.mean(np.abs(a[:, 0]) ** 2)),
                           "test": float(np.mean(np.abs(b[:, 0]) ** 2))}
    out["qdt_cluster_n2"]["files"]["loss"] = "qdt/QDTcluster0loss_n2na1L120_mmd.npy"
    qdt_loss = load(out["qdt_cluster_n2"]["files"]["loss"])
    out["qdt_cluster_n2"]["loss_final"] = float(qdt_loss[-1])
    cla = [load(f"qgan/QGANcluster0lossCla_n2na1Lg120Lc16_cy{c}.npy") for c in range(1, 6)]
    gen = [load(f"qgan/QGANcluster0lossGen_n2na1Lg120Lc16_cy{c}.npy") for c in range(1, 6)]
    out["qgan_cluster_n2"]["files"]["losses"] = "qgan/QGANcluster0loss{Cla,Gen}_n2na1Lg120Lc16_cy1..5.npy"
    out["qgan_cluster_n2"]["cycle_losses"] = {
        "discriminator_first_last": [[float(c[0]), float(c[-1])] for c in cla],
        "generator_first_last": [[float(g[0]), float(g[-1])] for g in gen]}
    return out


# ---------------------------------------------------------------- quddpm's runs
def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_states(bin_path, run, samples, seed):
    """A held-out ensemble of a QuDDPM run: `generate` with a seed training never used."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "test.npy")
        subprocess.run([bin_path, "generate", "--model", run, "--samples", str(samples),
                        "--seed", str(seed), "--out", out, "--threads", "1"],
                       check=True, capture_output=True)
        return np.load(out)


def recorded_mmd_to_data(path):
    """The MMD of generated.npy to data.npy the run itself recorded."""
    phases = os.path.join(path, "qgan_phases.csv")
    if os.path.exists(phases):
        return float(read_csv(phases)[-1]["mmd_to_data"])
    return float(next(row for row in read_csv(os.path.join(path, "cycles.csv"))
                      if int(row["t"]) == 0)["mmd_to_data"])


@functools.lru_cache(maxsize=None)
def load_generated(path):
    """The run's generated.npy, read once (run_data and run_numbers both use it); read-only."""
    gen = np.load(os.path.join(path, "generated.npy"))
    gen.flags.writeable = False
    return gen


@functools.lru_cache(maxsize=None)
def run_data(path, bin_path):
    """The run's data.npy, or (a folder from git) drawn again by `quddpm config --target-out` from
    its config, with an npy target read from the run's own copy (target.npy). Drawn once a run
    (main uses the TFIM's seed-1 data again); read-only."""
    kept = os.path.join(path, "data.npy")
    if os.path.exists(kept):
        data = np.load(kept)
    else:
        data = draw_run_data(path, bin_path)
    data.flags.writeable = False
    return data


def draw_run_data(path, bin_path):
    """run_data's draw for a folder without data.npy, checked against the MMD to the data the
    run recorded."""
    if not bin_path:
        sys.exit(f"{os.path.join(path, 'data.npy')}: not there (git keeps no data.npy); pass "
                 "--bin to draw it again")
    command = [bin_path, "config", os.path.join(path, "config.json")]
    if os.path.exists(os.path.join(path, "target.npy")):
        # (a relative target.path is read from the config's folder)
        command += ["--set", "target.path=" + os.path.abspath(os.path.join(path, "target.npy"))]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "data.npy")
        done = subprocess.run(command + ["--target-out", out], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{path}: {' '.join(command)} failed: {done.stderr.strip()}")
        data = np.load(out)
    if abs(mmd(load_generated(path), data) - recorded_mmd_to_data(path)) > 1e-9:
        sys.exit(f"{path}: the data drawn again from config.json does not give the MMD to the "
                 "data the run recorded")
    return data


def run_numbers(path, name, bin_path):
    """The numbers of one run folder."""
    r = {"folder": os.path.basename(path)}
    data = run_data(path, bin_path)
    if name.startswith("qgan"):
        phases = read_csv(os.path.join(path, "qgan_phases.csv"))
        gen = load_generated(path)
        test = np.load(os.path.join(path, "test_generated.npy"))
        r["final"] = {"train": mmd(gen, data), "test": mmd(test, data)}
        r["f0"] = {"train": float(np.mean(np.abs(gen[:, 0]) ** 2)),
                   "test": float(np.mean(np.abs(test[:, 0]) ** 2))}
        r["phases"] = [{k: row[k] for k in ("cycle", "phase", "p_real_on_data",
                                            "p_real_on_generated", "mmd_to_data")}
                       for row in phases]
        return r
    cycles = {int(row["t"]): row for row in read_csv(os.path.join(path, "cycles.csv"))}
    distance = "wasserstein_to_data" if name == "circle" else "mmd_to_data"
    r["distance_vs_t"] = {"backward": [float(cycles[t][distance]) for t in sorted(cycles)]}
    diffusion = read_csv(os.path.join(path, "diffusion.csv"))
    r["mmd_forward_vs_t"] = [float(row["mmd_to_data"]) for row in diffusion]
    gen = load_generated(path)
    r["final"] = {"train": float(cycles[0][distance]), "kl": float(cycles[0]["kl_to_data"])}
    if name.startswith("qdt"):
        r["f0"] = {"train": float(np.mean(np.abs(gen[:, 0]) ** 2))}
    if bin_path:
        seed = int(json.load(open(os.path.join(path, "config.json")))["seed"])
        test = test_states(bin_path, path, gen.shape[0], 1_000_003 + seed)
        if name == "circle":
            r["final"]["test"] = wasserstein(test, data[:test.shape[0]])
        else:
            r["final"]["test"] = mmd(test, data)
        if name.startswith("qdt"):
            r["f0"]["test"] = float(np.mean(np.abs(test[:, 0]) ** 2))
    obs_file = os.path.join(path, "observables.csv")
    if os.path.exists(obs_file):
        curves = defaultdict(lambda: defaultdict(dict))
        for row in read_csv(obs_file):
            curves[row["observable"]][row["chain"]][int(row["t"])] = (float(row["mean"]),
                                                                      float(row["sd"]))
        r["quantity_vs_t"] = {
            q: {chain: {"mean": [v[t][0] for t in sorted(v)], "sd": [v[t][1] for t in sorted(v)]}
                for chain, v in chains.items()} for q, chains in curves.items()}
    hist_file = os.path.join(path, "histograms.csv")
    if name == "tfim_n4" and os.path.exists(hist_file):
        h = defaultdict(list)
        for row in read_csv(hist_file):
            if row["observable"] == "magnetization" and int(row["t"]) == 0:
                h[row["chain"]].append((float(row["lo"]), float(row["hi"]), int(row["count"])))
        r["magnetization_histogram_t0"] = dict(h)
    if name in ("cluster_n1", "circle"):
        r["bloch_generated"] = bloch(gen).tolist()
        r["bloch_data"] = bloch(data[:200]).tolist()
    # The per-epoch losses of the learning-rate table (cluster n = 2, cycles LOSS_CYCLES; no
    # other table reads epochs.csv, 15 MB for a circle run); git keeps no epochs.csv: then None,
    # and main reads the curves the table uses from OUT/loss_curves.csv.
    epochs_file = os.path.join(path, "epochs.csv")
    r["loss"] = None
    if name == "cluster_n2" and os.path.exists(epochs_file):
        loss = defaultdict(list)
        for row in read_csv(epochs_file):
            if int(row["t"]) in LOSS_CYCLES:
                loss[int(row["t"])].append(float(row["loss"]))
        r["loss"] = {t: v for t, v in loss.items()}
    return r


def collect_runs(runs_dir, bin_path):
    found = defaultdict(lambda: defaultdict(list))
    for entry in sorted(os.listdir(runs_dir)):
        m = re.fullmatch(r"(improved_|warm_|quenched_)?(.+?)(_e\d+)?_(adam|sgd)_s(\d+)", entry)
        path = os.path.join(runs_dir, entry)
        if not m or not os.path.isdir(path) or m.group(2) not in EXPERIMENTS:
            continue
        if not os.path.exists(os.path.join(path, "manifest.json")):
            continue  # a run still going (its folder is DIR.partial) or never finished
        group = (m.group(1) or "") + m.group(4) + (m.group(3) or "")
        found[m.group(2)][group].append(run_numbers(path, m.group(2), bin_path))
    return found


# ---------------------------------------------------------------- tables and figures
SMOOTH = 25  # epochs of the running mean: single epochs' losses dip by batch noise alone


def smoothed(curve):
    c = np.asarray(curve, dtype=float)
    return np.convolve(c, np.ones(SMOOTH) / SMOOTH, mode="valid")


def epochs_to_reach(curve, level):
    """The last epoch of the first SMOOTH-epoch window whose mean loss is at most `level`."""
    hits = np.nonzero(smoothed(curve) <= level)[0]
    return int(hits[0]) + SMOOTH if len(hits) else None


LOSS_CYCLES = (19, 10, 0)  # the cycles of the learning-rate table


def keep_loss_curves(path, runs):
    """The learning-rate table's loss curves (cluster n = 2, Adam and SGD, cycles LOSS_CYCLES):
    a run without epochs.csv takes them from `path` (this tool's earlier output, in git), and
    `path` is written again from the curves in use, one row per (run, t, epoch)."""
    used = [r for opt in OPTIMIZERS for r in runs.get("cluster_n2", {}).get(opt, [])]
    if any(r["loss"] is None for r in used):
        if not os.path.exists(path):
            sys.exit(f"{path}: needed for runs without epochs.csv (git keeps none), not there")
        kept = defaultdict(lambda: defaultdict(list))
        for row in read_csv(path):
            kept[row["run"]][int(row["t"])].append(float(row["loss"]))
        for r in used:
            if r["loss"] is None:
                if r["folder"] not in kept:
                    sys.exit(f"{path}: has no loss curves of {r['folder']}")
                r["loss"] = dict(kept[r["folder"]])
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "t", "epoch", "loss"])
        for r in used:
            for t in LOSS_CYCLES:
                for epoch, value in enumerate(r["loss"].get(t, [])):
                    w.writerow([r["folder"], t, epoch, repr(value)])


def learning_rate_table(official, runs):
    """Cluster n = 2: epochs each optimizer needs to reach the level the official curve reaches."""
    curves = official["cluster_n2"].get("loss_curves")
    if not curves or "cluster_n2" not in runs:
        return []
    rows = []
    for t in LOSS_CYCLES:
        off = np.asarray(curves[str(t)])
        level = 1.1 * float(np.min(smoothed(off)))
        row = {"t": t, "level": level, "official": epochs_to_reach(off, level)}
        for opt in OPTIMIZERS:
            hits = [epochs_to_reach(r["loss"][t], level) for r in runs["cluster_n2"].get(opt, [])
                    if t in r["loss"]]
            row[opt] = hits
        rows.append(row)
    return rows


def fmt(x):
    """Four decimals, or two significant digits below 0.001 (the warm runs reach 1e-5)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return f"{x:.4f}" if abs(x) >= 1e-3 else f"{x:.1e}"


def summary_rows(official, runs):
    rows = []
    for name in EXPERIMENTS:
        off = official.get(name, {})
        row = {"experiment": name, "distance": off.get("distance", "mmd"),
               "official_train": off.get("final", {}).get("train"),
               "official_test": off.get("final", {}).get("test")}
        for opt in GROUPS:
            rs = runs.get(name, {}).get(opt, [])
            train = [r["final"]["train"] for r in rs]
            test = [r["final"].get("test") for r in rs if r["final"].get("test") is not None]
            row[f"{opt}_seeds"] = len(rs)
            row[f"{opt}_train"] = mean_sd(train) if train else None
            row[f"{opt}_test"] = mean_sd(test) if test else None
        rows.append(row)
    return rows


def write_markdown(path, rows, lr_rows, official, runs):
    def ms(v):
        if v is None:
            return "-"
        return f"{fmt(v[0])} ± {fmt(v[1])}" if not np.isnan(v[1]) else fmt(v[0])
    lines = ["| experiment | distance of S~_0 to the data | official train / test | "
             + " | ".join(GROUP_HEADERS[g] for g in GROUPS) + " |",
             "|---|---|---|" + "---|" * len(GROUPS)]
    for r in rows:
        cells = [f"{ms(r[g + '_train'])} / {ms(r[g + '_test'])} ({r[g + '_seeds']})"
                 for g in GROUPS]
        lines.append(f"| {r['experiment']} | {r['distance']} | {fmt(r['official_train'])} / "
                     f"{fmt(r['official_test'])} | " + " | ".join(cells) + " |")
    if lr_rows:
        lines += ["", "Cluster n = 2, epochs until the loss of cycle t (a running mean over "
                  f"{SMOOTH} epochs) first reaches 1.1 x the official curve's minimum (official: "
                  "`QDDPMcluster0loss_n2na1T20L6_mmd.npy`, smoothed the same way):", "",
                  "| t | level | official | Adam 5e-4 (per seed) | SGD 0.01, momentum 0.9, x0.5 / 400 (per seed) |",
                  "|---|---|---|---|---|"]
        for r in lr_rows:
            lines.append(f"| {r['t']} | {r['level']:.5f} | {r['official']} | "
                         f"{', '.join('never' if x is None else str(x) for x in r['adam'])} | "
                         f"{', '.join('never' if x is None else str(x) for x in r['sgd'])} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def figures(out, official, runs):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(os.path.join(out, "figures"), exist_ok=True)
    def label(ax, title):
        ax.set_title(title)
        ax.set_xlabel("t")
        ax.legend(fontsize=7)

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(out, "figures", name), dpi=110)
        plt.close(fig)

    colors = {"official": "k", "adam": "tab:blue", "sgd": "tab:orange",
              "improved_sgd": "tab:green", "warm_sgd": "tab:red", "sgd_e2500": "tab:purple",
              "quenched_adam": "tab:brown", "quenched_sgd": "tab:olive"}

    # Observable vs t, with bands (one panel per experiment with a plotted quantity).
    names = [n for n in EXPERIMENTS if official.get(n, {}).get("quantity_vs_t")]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        q = EXPERIMENTS[name][3]
        off = official[name]["quantity_vs_t"]["backward"]
        t = np.arange(len(off["mean"]))
        ax.plot(t, off["mean"], "k--", label="official (train)")
        ax.fill_between(t, np.array(off["mean"]) - off["sd"], np.array(off["mean"]) + off["sd"],
                        color="k", alpha=0.1)
        for opt in OPTIMIZERS:
            rs = [r for r in runs.get(name, {}).get(opt, []) if q in r.get("quantity_vs_t", {})]
            if not rs:
                continue
            back = rs[0]["quantity_vs_t"][q]["backward"]
            m, s = np.array(back["mean"]), np.array(back["sd"])
            tt = np.arange(len(m))  # run_numbers sorted each chain's rows by t
            ax.plot(tt, m, color=colors[opt], label=f"quddpm {opt} (seed 1)")
            ax.fill_between(tt, m - s, m + s, color=colors[opt], alpha=0.15)
            fwd = rs[0]["quantity_vs_t"][q].get("forward")
            if fwd and opt == "adam":
                ax.plot(np.arange(len(fwd["mean"])), fwd["mean"], ":", color="gray",
                        label="forward (quddpm)")
        label(ax, f"{name}: {q}")
    save(fig, "observable_vs_t.png")

    # Distance to the data vs t (MMD; W for the circle).
    names = [n for n in EXPERIMENTS if official.get(n, {}).get("distance_vs_t")]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        off = official[name]["distance_vs_t"]
        ax.plot(off["backward"], "k--", label="official (train)")
        ax.plot(off["forward"], ":", color="gray", label="official forward")
        for opt in GROUPS:
            rs = runs.get(name, {}).get(opt, [])
            if rs:
                curves = np.array([r["distance_vs_t"]["backward"] for r in rs])
                m = curves.mean(axis=0)
                ax.plot(m, color=colors[opt], label=f"quddpm {opt} ({len(rs)} seeds)")
                if len(rs) > 1:
                    ax.fill_between(np.arange(len(m)), curves.min(axis=0), curves.max(axis=0),
                                    color=colors[opt], alpha=0.15)
        ax.set_yscale("log")
        label(ax, f"{name}: {official[name]['distance']} to data")
    save(fig, "distance_vs_t.png")

    # TFIM magnetization histogram at t = 0.
    tf = runs.get("tfim_n4", {})
    if tf:
        fig, ax = plt.subplots(figsize=(5, 3.6))
        bins = np.linspace(0, 1, 21)
        forward_drawn = False
        ax.hist(official["tfim_n4"]["magnetization_t0"]["backward"], bins=bins, histtype="step",
                color="k", density=True, label="official (train)")
        for opt in GROUPS:
            rs = [r for r in tf.get(opt, []) if "magnetization_histogram_t0" in r]
            if not rs:
                continue
            h = rs[0]["magnetization_histogram_t0"]
            for chain, style in (("backward", "-"), ("forward", ":")):
                if chain not in h or (chain == "forward" and forward_drawn):
                    continue
                forward_drawn = forward_drawn or chain == "forward"
                lo = np.array([x[0] for x in h[chain]])
                counts = np.array([x[2] for x in h[chain]], dtype=float)
                width = lo[1] - lo[0]
                ax.step(lo, counts / counts.sum() / width, style, where="post",
                        color="gray" if chain == "forward" else colors[opt],
                        label="data (forward t = 0)" if chain == "forward" else f"quddpm {opt}")
        ax.set_xlabel("M")
        ax.set_ylabel("p(M)")
        ax.legend(fontsize=7)
        save(fig, "tfim_magnetization.png")

    # Bloch spheres of the n = 1 experiments.
    names = [n for n in ("cluster_n1", "circle") if runs.get(n)]
    if names:
        fig = plt.figure(figsize=(4.5 * len(names), 4.2))
        for k, name in enumerate(names):
            ax = fig.add_subplot(1, len(names), k + 1, projection="3d")
            u, v = np.mgrid[0:2 * np.pi:24j, 0:np.pi:12j]
            ax.plot_wireframe(np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v),
                              color="lightgray", linewidth=0.4)
            r = next(runs[name][g][0] for g in ("sgd", "adam", "warm_sgd") if runs[name].get(g))
            d, g = np.array(r["bloch_data"]), np.array(r["bloch_generated"])
            ax.scatter(*d.T, s=4, color="gray", label="data")
            ax.scatter(*g.T, s=6, color="tab:blue", label="quddpm")
            if official[name].get("bloch_generated"):
                o = np.array(official[name]["bloch_generated"])
                ax.scatter(*o.T, s=6, color="k", marker="x", label="official")
            ax.set_title(name)
            ax.legend(fontsize=7)
        save(fig, "bloch.png")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--official", help="the official repository's data/ folder")
    p.add_argument("--bin", help="quddpm, to draw each QuDDPM run's test ensemble")
    a = p.parse_args()
    official_file = os.path.join(a.out, "official.json")
    if a.official:
        official = official_numbers(a.official)
        with open(official_file, "w") as f:
            json.dump(official, f)
    elif os.path.exists(official_file):
        official = json.load(open(official_file))
    else:
        sys.exit(f"original_paper.py: {official_file} does not exist: give --official")
    runs = collect_runs(a.runs, a.bin)
    keep_loss_curves(os.path.join(a.out, "loss_curves.csv"), runs)
    # The TFIM's official S_0 is pickled: its generated states are compared with quddpm's data
    # set of the same law (seed 1's run).
    # Every group's run of a seed trains towards the same S_0 (stream (seed, target)).
    tf = [r for g in GROUPS for r in runs.get("tfim_n4", {}).get(g, [])]
    if tf:
        data = run_data(os.path.join(a.runs, tf[0]["folder"]), a.bin)
        for part in ("generated", "test_generated"):
            s = np.array(official["tfim_n4"][part])
            official["tfim_n4"].setdefault("final", {})[
                "train" if part == "generated" else "test"] = mmd(s[..., 0] + 1j * s[..., 1], data)
        official["tfim_n4"]["distance"] = "mmd"
    rows = summary_rows(official, runs)
    lr_rows = learning_rate_table(official, runs)
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"rows": rows, "learning_rate": lr_rows,
                   "runs": {n: {o: [r["folder"] for r in rs] for o, rs in v.items()}
                            for n, v in runs.items()}}, f, indent=1)
    write_markdown(os.path.join(a.out, "summary.md"), rows, lr_rows, official, runs)
    figures(a.out, official, runs)
    print(open(os.path.join(a.out, "summary.md")).read())


if __name__ == "__main__":
    main()
