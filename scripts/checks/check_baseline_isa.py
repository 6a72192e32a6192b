#!/usr/bin/python3
"""Checks that a portable quddpm binary runs on any x86-64 CPU until it dispatches.

Disassembles the binary (objdump) and lists every function outside the per-instruction-set
kernel code (the N_SSE4, N_AVX2, N_AVX3 namespaces Highway compiles, which run only after
the CPU was checked) that uses an instruction beyond the x86-64 baseline (SSE2): VEX/EVEX
encoded instructions (AVX, AVX2, FMA, AVX-512), ymm/zmm/mask registers, SSE3/SSSE3/SSE4
instructions, POPCNT, LZCNT, TZCNT, BMI. Exit status 1 and the offenders when there are any.

Usage: scripts/checks/check_baseline_isa.py BINARY
"""
import re
import subprocess
import sys

DISPATCHED = re.compile(r"::N_(SSE4|SSSE3|AVX2|AVX3|AVX3_DL)::")
# Mnemonics beyond SSE2 that are not VEX-prefixed (those all start with 'v').
BEYOND_SSE2 = {
    # SSE3 / SSSE3
    "addsubpd", "addsubps", "haddpd", "haddps", "hsubpd", "hsubps", "lddqu", "movddup",
    "movshdup", "movsldup", "pabsb", "pabsw", "pabsd", "palignr", "phaddw", "phaddd",
    "phaddsw", "phsubw", "phsubd", "phsubsw", "pmaddubsw", "pmulhrsw", "pshufb", "psignb",
    "psignw", "psignd",
    # SSE4.1 / SSE4.2
    "blendpd", "blendps", "blendvpd", "blendvps", "dppd", "dpps", "extractps", "insertps",
    "movntdqa", "mpsadbw", "packusdw", "pblendvb", "pblendw", "pcmpeqq", "pextrb", "pextrd",
    "pextrq", "phminposuw", "pinsrb", "pinsrd", "pinsrq", "pmaxsb", "pmaxsd", "pmaxud",
    "pmaxuw", "pminsb", "pminsd", "pminud", "pminuw", "pmovsxbw", "pmovsxbd", "pmovsxbq",
    "pmovsxwd", "pmovsxwq", "pmovsxdq", "pmovzxbw", "pmovzxbd", "pmovzxbq", "pmovzxwd",
    "pmovzxwq", "pmovzxdq", "pmuldq", "pmulld", "ptest", "roundpd", "roundps", "roundsd",
    "roundss", "pcmpgtq", "pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm", "crc32",
    # bit manipulation
    "popcnt", "lzcnt", "tzcnt", "andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "mulx",
    "pdep", "pext", "rorx", "sarx", "shlx", "shrx",
}
# VEX/EVEX instructions start with 'v' (vzeroupper included); these few baseline ones too.
BASELINE_V = {"verr", "verw"}


def offenders(binary):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", binary],
                         capture_output=True, text=True, check=True).stdout
    func, bad = None, {}
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            func = m.group(1)
            continue
        parts = line.split("\t")
        if func is None or len(parts) < 2 or DISPATCHED.search(func):
            continue
        ins = parts[1].strip()
        if not ins:
            continue
        mnemonic = ins.split()[0]
        if ((mnemonic.startswith("v") and mnemonic not in BASELINE_V)
                or mnemonic in BEYOND_SSE2 or re.search(r"%[yz]mm|%k[0-7]\b", ins)):
            bad.setdefault(func, ins)
    return bad


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bad = offenders(sys.argv[1])
    for func, ins in sorted(bad.items()):
        print(f"beyond x86-64 baseline outside the dispatched kernels: {func}: {ins}")
    if bad:
        sys.exit(1)
    print(f"{sys.argv[1]}: only x86-64 baseline instructions outside the dispatched kernels")


if __name__ == "__main__":
    main()
