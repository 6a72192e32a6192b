"""quddpm's Python side: reading a run's or a sweep's outputs, the statistics the analyses share,
and one command line per figure or table.

Import it from a notebook with the repository's scripts/ folder on the path (sys.path or
PYTHONPATH=scripts); run a tool as `python3 -m quddpm.NAME` (Debian's /usr/bin/python3 with
python3-numpy, python3-pandas, python3-matplotlib).

Reading and statistics:
    runs        load(DIR): traces as DataFrames, config, manifest, floor, per-run numbers, verdicts
    stats       seed spread, gradient at initialization, prior vs generated, verdicts, KL floor
    tidy_csv    the tidy CSVs of a sweep: reading, swept keys, merge state, emitting tables

Figures and tables of a sweep (docs/studies.md):
    plot, summarize, merge_sweeps, kl_floor, regime_map, regime_vs_n, init_table, init_ratio,
    haar_distance, distance_quality, mechanism2, warm_start_figure, magnetization, theorem1,
    precision_accuracy, bench_table

The original QuDDPM paper's comparison: original_paper, official_outcomes, correlated_noise.
Independent NumPy references: reference, reference_metrics, calibrate_schedule.
"""
