"""Issue 14, item 2: a mutation fuzz test. Seeded random bytes flipped in the real members of the
sample workbook and of its annotated copy; `verify` and `clear` must answer every mutant with
findings or one line naming the file — valid JSON, no 「内部错误」, no exception — and `clear`
must never leave a package that no longer opens. Sized to finish in about a minute on one core."""
import io
import json
import os
import random
import zipfile

import pytest

from hostile import sample
from xlcheck.cli import run

SEED = 14
MUTANTS = int(os.environ.get("XLCHECK_FUZZ_MUTANTS", "600"))   # of each kind: about 40 s on one core
INTERESTING = b'<>"/=&;:# 0123456789AZaz_.-\x00\x01\x1f\x7f\x80\xc3\xe4\xff'


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """The package with 1–4 bytes of one XML member replaced, inserted or deleted."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = sorted(n for n in members if n.endswith((".xml", ".rels", ".vml")))
    name = rng.choice(xml)
    data = bytearray(members[name])
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data))
        what = rng.random()
        if what < 0.6:
            data[at] = rng.choice(INTERESTING)
        elif what < 0.8:
            data[at:at] = bytes([rng.choice(INTERESTING)])
        else:
            del data[at:at + rng.randint(1, 8)]
    members[name] = bytes(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0)), d)
    return out.getvalue()


def _run(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        run([str(a) for a in argv])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def _refuse(constant):
    raise ValueError(constant)


def test_mutants_of_a_workbook_and_of_its_annotated_copy(tmp_path, capsys):
    rng = random.Random(SEED)
    base = sample(tmp_path / "base.xlsx")
    code, _, _ = _run(capsys, "verify", base, "-o", tmp_path / "marked.xlsx")
    assert code == 0
    originals = {"plain": base.read_bytes(), "marked": (tmp_path / "marked.xlsx").read_bytes()}
    statuses = {"ok": 0, "invalid": 0, "error": 0}
    cleared = refused = 0
    for i in range(MUTANTS):
        for kind, raw in originals.items():
            path = tmp_path / f"{kind}{i}.xlsx"
            path.write_bytes(mutate(raw, rng))
            code, out, err = _run(capsys, "verify", path, "--format", "json", "-o", tmp_path / f"out{i}.xlsx")
            doc = json.loads(out, parse_constant=_refuse)
            [entry] = doc["files"]
            assert code in (0, 1, 2) and "内部错误" not in out + err, (kind, i, out, err)
            statuses[entry["status"]] += 1
            if entry["status"] == "error":
                assert err == f"xlcheck：{entry['error']}\n" and "\n" not in entry["error"]
            if kind == "marked":
                before = path.read_bytes()
                code, out, err = _run(capsys, "clear", path, "-o", tmp_path / f"clear{i}.xlsx")
                assert code in (0, 2) and "内部错误" not in out + err, (i, out, err)
                if code == 2:
                    refused += 1
                    assert out == "" and err.startswith("xlcheck：") and err.count("\n") == 1
                else:
                    cleared += 1
                    with zipfile.ZipFile(tmp_path / f"clear{i}.xlsx") as z:
                        assert z.testzip() is None
                assert path.read_bytes() == before              # clear -o never touches its input
    # the mutants exercise every outcome, not only the refusal of a broken zip
    assert statuses["ok"] and statuses["invalid"] and statuses["error"] and cleared and refused, (statuses, cleared, refused)
