#!/usr/bin/env bash
# Writes the seed corpus of fuzz_checkpoint (fuzz/corpus/checkpoint/) from real checkpoints.
# Usage: fuzz/make_checkpoint_corpus.sh [quddpm binary, default build/quddpm]
#
# Trains the tiny run whose settings fuzz/fuzz_checkpoint.cpp fixes (1 data + 1 ancilla qubit,
# L = 2, T = 3, 4 samples, 5 epochs; a checkpoint after every epoch) twice, in a temporary
# folder:
#   - stopped with SIGTERM inside cycle t=1, so that state.json is part-way through a cycle;
#   - finished with a folder appearing at its --out, so that DIR.partial keeps the final
#     checkpoint (next_t = -1) and the one before it.
# and packs each run's traces and checkpoint files in the target's input format (see the top of
# fuzz/fuzz_checkpoint.cpp). Seeds: those two as they are; the first with the option "fix"; the
# first without state.json (the reader falls back to state.prev.json); and the first's
# state.json rewritten as an unverified quddpm-checkpoint-1 (no run id, no digests).
# Then the regressions, regress_*.bin: the first's state.json (without state.prev.json) edited
# into what the reader once crashed on, let through, or refused with a message of two lines.
# The run id must be the one fuzz_checkpoint.cpp passes; the script checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
quddpm="$(realpath "${1:-build/quddpm}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$quddpm" "$work" fuzz/fuzz_checkpoint.cpp fuzz/corpus/checkpoint <<'EOF'
import json, os, re, signal, subprocess, sys, time

quddpm, work, harness, out = sys.argv[1:5]
MARKER = b"=#=#="
TRACES = ["diffusion.csv", "epochs.csv", "layers.csv", "cycles.csv"]

config = os.path.join(work, "tiny.json")
with open(config, "w") as f:
    json.dump({"model": "original", "seed": 7, "qubits": {"data": 1, "ancilla": 1},
               "circuit": {"layers": 2}, "diffusion": {"steps": 3},
               "training": {"samples": 4, "diffusion_size": 8, "epochs": 5},
               "checkpoint": {"every_seconds": 1e-9}}, f)


def state(partial, name="state.json"):
    try:
        with open(os.path.join(partial, "checkpoint", name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def start(run):
    log = open(run + ".log", "w")
    return subprocess.Popen([quddpm, "train", config, "--threads", "1", "--out", run],
                            stdout=log, stderr=log)


def poll(until, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until():
            return True
        time.sleep(0.001)
    return False


def interrupted(run):
    """Stopped inside cycle t=1: state.json with progress, and a state.prev.json."""
    partial = run + ".partial"
    p = start(run)
    poll(lambda: (state(partial) or {}).get("next_t") == 1 and
         "progress" in (state(partial) or {}))
    p.send_signal(signal.SIGTERM)
    p.wait()
    s = state(partial)
    ok = s is not None and s.get("next_t") == 1 and "progress" in s and state(
        partial, "state.prev.json") is not None
    return partial if ok else None


def finished(run):
    """Finished with a folder at its --out: the final checkpoint stays in DIR.partial."""
    partial = run + ".partial"
    p = start(run)
    poll(lambda: state(partial) is not None)
    os.mkdir(run)
    p.wait()
    s = state(partial)
    return partial if s is not None and s.get("next_t") == -1 else None


def attempt(make, name):
    for i in range(20):
        partial = make(os.path.join(work, "%s%d" % (name, i)))
        if partial:
            return partial
    sys.exit("make_checkpoint_corpus: no %s run after 20 attempts" % name)


def files_of(partial):
    """The traces, then the checkpoint folder's files: (name in the container, bytes)."""
    files = []
    for name in TRACES:
        with open(os.path.join(partial, name), "rb") as f:
            files.append((name, f.read()))
    ck = os.path.join(partial, "checkpoint")
    order = lambda n: (n not in ("state.json", "state.prev.json"), n != "state.json", n)
    for name in sorted(os.listdir(ck), key=order):
        with open(os.path.join(ck, name), "rb") as f:
            files.append(("checkpoint/" + name, f.read()))
    return files


def pack(files, options=b""):
    blob = options
    for name, data in files:
        if MARKER in data:
            sys.exit("make_checkpoint_corpus: %s holds the entry marker" % name)
        blob += MARKER + name.encode() + b"\n" + data
    return blob


a = attempt(interrupted, "interrupted")
b = attempt(finished, "finished")

run_id = state(a)["run_id"]
with open(harness) as f:
    want = re.search(r'kRunId = "([0-9a-f]+)"', f.read()).group(1)
if run_id != want:
    sys.exit("make_checkpoint_corpus: the run id is %s, fuzz_checkpoint.cpp passes %s: update "
             "kRunId there" % (run_id, want))

legacy = state(a)
for key in ("run_id", "checksum", "sha256", "traces", "precision"):
    legacy.pop(key, None)
legacy["format"] = "quddpm-checkpoint-1"
legacy["rows"].pop("layers.csv")

fa = files_of(a)
seeds = {
    "interrupted.bin": pack(fa),
    "interrupted_fix.bin": pack(fa, b"fix "),
    "previous_only.bin": pack([f for f in fa if f[0] != "checkpoint/state.json"]),
    "legacy_format1.bin": pack([f for f in fa if f[0] != "checkpoint/state.prev.json"
                                and f[0] != "checkpoint/state.json"] +
                               [("checkpoint/state.json",
                                 (json.dumps(legacy, indent=2) + "\n").encode())]),
    "finished.bin": pack(files_of(b)),
}


def regression(edit, options=b"fix ", base=None):
    """The first run's files without state.prev.json, its state.json edited (then written with
    "fix", the fuzz target forges the digests and checksum the edit broke)."""
    text = edit(json.loads(json.dumps(base or state(a))))
    if not isinstance(text, str):
        text = json.dumps(text, indent=2) + "\n"
    return pack([f for f in fa if f[0] not in ("checkpoint/state.json",
                                                "checkpoint/state.prev.json")] +
                [("checkpoint/state.json", text.encode())], options)


def setting(key, value):
    def edit(j):
        j[key] = value
        return j
    return edit


def next_t(literal):
    return lambda j: json.dumps(j, indent=2).replace('"next_t": 1,', '"next_t": %s,' % literal)


def nested(j):
    text = json.dumps(j, indent=2)
    return text[:text.rindex("}")] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}\n"


regressions = {
    # A json::type_error escaped instead of a refusal (no fallback, no file named).
    "regress_format_not_string.bin": regression(setting("format", 1), b""),
    "regress_sha256_array_fix.bin": regression(setting("sha256", [])),
    # get<int>() of a float beyond int: undefined behaviour (UBSan).
    "regress_next_t_1e300_fix.bin": regression(next_t("1e300")),
    # Accepted as next_t = 1: a fraction truncated, 2^32 + 1 wrapped.
    "regress_next_t_fraction_fix.bin": regression(next_t("1.5")),
    "regress_next_t_wraps_fix.bin": regression(next_t("4294967297")),
    # Messages of two lines: the state file's strings (and a file name) printed raw.
    "regress_run_id_newline_fix.bin": regression(setting("run_id", "abc\ndef")),
    "regress_precision_newline.bin": regression(setting("precision", "dou\nble"), b"",
                                                base=legacy),
    "regress_params_newline_fix.bin": regression(setting("params", "params\n.npy")),
    # Nested 5,000 levels: refused while parsed. (Deeper, copying it for the checksum
    # overflowed the stack: ~30,000 levels under ASan, 1,000,000 in a Release build.)
    "regress_deep.bin": regression(nested, b""),
}
for name, blob in regressions.items():
    assert name not in seeds
    seeds[name] = blob

os.makedirs(out, exist_ok=True)
for name, blob in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)
    print("%s: %d bytes" % (os.path.join(out, name), len(blob)))
EOF
