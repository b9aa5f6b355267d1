"""bpfcost prog and the shared program selectors, against real programs
loaded and pinned by bpftool (independent of bpfcost)."""
import json
import os
import subprocess
import tempfile

import pytest

from conftest import ROOT, AttachRunner, loaded_links, run, run_json

LONG = "bc_test_long_function_name"
KERNEL_NAME = LONG[:15]


@pytest.fixture
def pinned():
    """Mount a private bpffs, load and pin the test programs, clean up."""
    d = tempfile.mkdtemp(prefix="bpfcost-bpffs-")
    subprocess.run(["mount", "-t", "bpf", "bpf", d], check=True)
    try:
        for obj, sub in (("testprog", "t"), ("empty", "e")):
            subprocess.run(["bpftool", "prog", "loadall", f"{ROOT}/build/{obj}.bpf.o",
                            f"{d}/{sub}"], check=True)
        yield d
    finally:
        subprocess.run(["rm", "-rf", f"{d}/t", f"{d}/e"])
        subprocess.run(["umount", d])
        os.rmdir(d)


def progs_by_name(doc):
    return {p["full_name"]: p for p in doc["programs"]}


def test_lists_loaded_programs_with_btf_names(pinned):
    doc = run_json("prog")
    by = progs_by_name(doc)
    assert LONG in by and "bc_empty" in by
    p = by[LONG]
    assert p["name"] == KERNEL_NAME
    assert p["type"] == "raw_tracepoint"
    assert p["btf"] is True
    assert len(p["tag"]) == 16 and int(p["tag"], 16) >= 0
    assert p["jited_bytes"] > 0
    assert doc["bpf_stats_enabled_sysctl"] in (0, 1)


def test_plain_output_is_a_table(pinned):
    out = run("prog", check=True).stdout.splitlines()
    assert out[0].split()[:4] == ["ID", "TYPE", "NAME", "TAG"]
    assert any(LONG in l for l in out)
    assert "program" in out[-1]


@pytest.mark.parametrize("sel", [["name", LONG], ["name", KERNEL_NAME]])
def test_name_matches_btf_and_kernel_name(pinned, sel):
    doc = run_json("prog", *sel)
    assert [p["full_name"] for p in doc["programs"]] == [LONG]


def test_id_tag_and_pinned_selectors(pinned):
    p = progs_by_name(run_json("prog"))["bc_empty"]
    for sel in (["id", p["id"]], ["tag", p["tag"]],
                ["pinned", f"{pinned}/e/bc_empty"]):
        doc = run_json("prog", *sel)
        assert [q["id"] for q in doc["programs"]] == [p["id"]], sel


def test_several_selectors_union(pinned):
    by = progs_by_name(run_json("prog"))
    doc = run_json("prog", "name", "bc_empty", "name", LONG, "id", by["bc_empty"]["id"])
    assert sorted(q["id"] for q in doc["programs"]) == sorted(
        [by["bc_empty"]["id"], by[LONG]["id"]])


def test_name_matching_several_selects_all_and_says_so(pinned):
    d = pinned
    subprocess.run(["bpftool", "prog", "loadall", f"{ROOT}/build/empty.bpf.o", f"{d}/e2"],
                   check=True)
    try:
        p = run("-j", "prog", "name", "bc_empty", check=True)
        assert len(json.loads(p.stdout)["programs"]) == 2
        assert "matches 2 programs" in p.stderr
    finally:
        subprocess.run(["rm", "-rf", f"{d}/e2"])


@pytest.mark.parametrize("args,msg", [
    (["id", "abc"], "invalid program id"),
    (["id", "-3"], "invalid"),  # getopt may see -3 as an option first
    (["id", "4294967296"], "invalid program id"),
    (["id", "4000000000"], "no loaded BPF program matches id"),
    (["tag", "xyz"], "invalid program tag"),
    (["tag", "0123456789abcdeg"], "invalid program tag"),
    (["name", "bc_no_such_program"], "no loaded BPF program matches name"),
    (["pinned", "/nonexistent/path"], "pinned path '/nonexistent/path'"),
    (["frobnicate", "1"], "unknown program selector"),
    (["id"], "needs a value"),
])
def test_bad_selectors(args, msg):
    p = run("prog", *args)
    assert p.returncode != 0
    assert msg in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_pinned_path_that_is_not_a_program(pinned):
    p = run("prog", "pinned", pinned)
    assert p.returncode != 0 and "pinned path" in p.stderr


def test_pinned_link_selects_its_program(pinned):
    """A pinned link is not a program: its own id may name an unrelated
    program. `pinned PATH` of a link selects the link's program; of a map
    it is an error that says it is a map."""
    r = AttachRunner(ROOT / "build" / "testprog.bpf.o")
    link_pin, map_pin = f"{pinned}/mylink", f"{pinned}/mymap"
    try:
        (link_id,) = [l for l, p in loaded_links().items() if p == r.ids[0]]
        subprocess.run(["bpftool", "link", "pin", "id", str(link_id), link_pin], check=True)
        doc = run_json("prog", "pinned", link_pin)
        assert [q["id"] for q in doc["programs"]] == r.ids
        info = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "id",
                                          str(r.ids[0])], capture_output=True, text=True,
                                         check=True).stdout)
        subprocess.run(["bpftool", "map", "pin", "id", str(info["map_ids"][0]), map_pin],
                       check=True)
        p = run("prog", "pinned", map_pin)
        assert p.returncode != 0
        assert f"pinned path '{map_pin}' is a BPF map" in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    finally:
        for f in (link_pin, map_pin):
            if os.path.exists(f):
                os.unlink(f)
        r.stop()
