"""Shared by the golden scripts of the further methods (zoo, crd, ft, reviewkd, kdsvd): seeded float32 draws kept
in double precision, and the Swift array literals the fixtures are written with (shaped as `make fmt`
leaves them, so regenerating a fixture gives the committed file byte for byte)."""
import torch


class Draws:
    """randn from one seeded generator, drawn in float32 (what the Swift side reads) and kept in double."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)

    def __call__(self, *shape, scale=1.0, shift=0.0):
        return (torch.randn(*shape, generator=self.gen, dtype=torch.float32) * scale + shift).double()


def f32(x):
    return "%.9g" % float(x)


def floats(t, per_line=6, indent=8):
    """A Swift array literal, `per_line` values a line at `indent` spaces, closed 4 spaces further out."""
    v = [f32(x) for x in t.flatten().tolist()]
    lines = [", ".join(v[i:i + per_line]) for i in range(0, len(v), per_line)]
    pad = " " * indent
    return "[\n" + "".join("%s%s,\n" % (pad, line) for line in lines) + pad[4:] + "]"


def nested(ts, per_line=6):
    """A Swift [[Float]] literal laid out as swift-format leaves it (so `make fmt` keeps the file as generated)."""
    parts = []
    for t in ts:
        v = [f32(x) for x in t.flatten().tolist()]
        lines = [", ".join(v[i:i + per_line]) for i in range(0, len(v), per_line)]
        parts.append("        [\n" + "".join("            %s,\n" % line for line in lines) + "        ],\n")
    return "[\n" + "".join(parts) + "    ]"
