#!/usr/bin/env python3
"""Golden numbers for the feature-distillation losses of KDMethods (fitnet, at, fsp), from PyTorch.

Regenerate (needs torch; the Swift tests never need Python):
    python3 scripts/golden/feature_losses.py > Tests/KDMethodsTests/Fixtures/FeatureLossGolden.swift

Inputs are rebuilt in Swift from a formula: a map with shape S and offset o holds
x[i] = sin(0.37 * i + o) in row-major order (computed in float64, stored as float32); regressor
weights hold 0.3 * sin(0.11 * i + o). The references follow the README (Methods) and the reference code:
- at, code mode (Zagoruyko & Komodakis' utils.at / RepDistiller AT.py): a = normalize(mean_c |f|^p),
  adaptive average pooling of the larger map, term = mean((a_s - a_t)^2), total beta * sum;
- at, paper mode (torchdistill ATLoss mode='paper'): channel sum, sum_b ||a_s - a_t||_2 / B, beta / 2;
- fsp (the paper, torchdistill's matrix): larger map adaptive-max-pooled, G = F1 F2^T / (h w),
  term = sum((G_t - G_s)^2) / B, total beta * sum;
- fitnet hint: RepDistiller's ConvReg choice of convolution (no bias here), BatchNorm2d in training
  mode (weight 1, bias 0), optional ReLU, then mse_loss (mean); or Linear (+ ReLU) for vectors.
Loss values are computed in float32 as the engine does. Every case also comes with gradients from
autograd in float64 (on the same float32 inputs): of the weighted at and fsp losses with respect to
each student map, and of the hint MSE with respect to the student map and the regressor's weight.
"""
import math

import torch
import torch.nn.functional as F


def make(shape, offset, scale=1.0, freq=0.37):
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(freq * i + offset) for i in range(n)], dtype=torch.float64) \
        .to(torch.float32).reshape(shape)


def at_map(f, p, channel_sum):
    a = f.abs().pow(p)
    a = a.sum(1) if channel_sum else a.mean(1)
    return F.normalize(a.reshape(f.shape[0], -1), dim=1, eps=1e-12)


def match(a, b, pool):
    h, w = min(a.shape[2], b.shape[2]), min(a.shape[3], b.shape[3])
    shrink = (lambda t: pool(t, (h, w)) if t.shape[2:] != (h, w) else t)
    return shrink(a), shrink(b)


def at_value(students, teachers, beta, p, mode):
    total = 0.0
    for fs, ft in zip(students, teachers):
        fs, ft = match(fs, ft, F.adaptive_avg_pool2d)
        a_s, a_t = at_map(fs, p, mode == "paper"), at_map(ft, p, mode == "paper")
        if mode == "code":
            total = total + (a_s - a_t).pow(2).mean()
        else:
            total = total + torch.norm(a_s - a_t, dim=1).sum() / fs.shape[0]
    return total * (beta / 2 if mode == "paper" else beta)


def fsp_matrix(f1, f2):
    f1, f2 = match(f1, f2, F.adaptive_max_pool2d)
    b, m, n, hw = f1.shape[0], f1.shape[1], f2.shape[1], f1.shape[2] * f1.shape[3]
    return torch.bmm(f1.reshape(b, m, hw), f2.reshape(b, n, hw).transpose(1, 2)) / hw


def fsp_value(students, teachers, beta):
    total = 0.0
    for (s1, s2), (t1, t2) in zip(students, teachers):
        gs, gt = fsp_matrix(s1, s2), fsp_matrix(t1, t2)
        total = total + (gt - gs).pow(2).sum() / gs.shape[0]
    return total * beta


def grads(value, students, teachers, *args):
    """Gradients of value(students, teachers, *args) with respect to each student map, in float64."""
    xs = [x.double().requires_grad_(True) for x in students]
    value(xs, [t.double() for t in teachers], *args).backward()
    return [x.grad.reshape(-1).tolist() for x in xs]


def regressor(student, teacher, woff):
    """RepDistiller's regressor for the two shapes (weights 0.3·sin(0.11·i + woff)) and its kind."""
    if student.dim() == 2:
        lin = torch.nn.Linear(student.shape[1], teacher.shape[1])
        with torch.no_grad():
            lin.weight.copy_(make(list(lin.weight.shape), woff, 0.3, 0.11))
            lin.bias.copy_(make(list(lin.bias.shape), woff + 1, 0.3, 0.11))
        return "linear", lin, lin.weight
    sh, sw, th, tw = student.shape[2], student.shape[3], teacher.shape[2], teacher.shape[3]
    if (sh, sw) == (2 * th, 2 * tw):
        conv = torch.nn.Conv2d(student.shape[1], teacher.shape[1], 3, stride=2, padding=1, bias=False)
    else:
        conv = torch.nn.Conv2d(student.shape[1], teacher.shape[1], (1 + sh - th, 1 + sw - tw), bias=False)
    kind = f"conv{conv.kernel_size[0]}x{conv.kernel_size[1]}s{conv.stride[0]}p{conv.padding[0]}"
    with torch.no_grad():
        conv.weight.copy_(make(list(conv.weight.shape), woff, 0.3, 0.11))
    bn = torch.nn.BatchNorm2d(teacher.shape[1]).train()
    return kind, torch.nn.Sequential(conv, bn), conv.weight


def hint(student, teacher, relu, woff):
    """The regressor's kind, the hint MSE and the regressed output (float32), and the float64 gradients
    of the MSE with respect to the student map and the regressor's weight."""
    kind, net, _ = regressor(student, teacher, woff)
    out = net(student)
    if relu:
        out = F.relu(out)
    out = out.detach()
    _, net64, weight = regressor(student, teacher, woff)
    net64 = net64.double()
    x = student.double().requires_grad_(True)
    out64 = net64(x)
    if relu:
        out64 = F.relu(out64)
    F.mse_loss(out64, teacher.double()).backward()
    gradients = [x.grad.reshape(-1).tolist(), weight.grad.reshape(-1).tolist()]
    return kind, float(F.mse_loss(out, teacher)), out.reshape(-1).tolist(), gradients


def swift_float(x):
    return repr(float(x))


def gmap(spec):
    return f"FeatureGoldenMap({spec[0]}, {spec[1]})"


def maps(spec):
    return "[" + ", ".join(gmap(a) for a in spec) + "]"


def pairs(spec, indent=8):
    if len(spec) == 1:
        return f"[({gmap(spec[0][0])}, {gmap(spec[0][1])})]"
    pad = " " * indent
    return "[\n" + "".join(f"{pad}    ({gmap(a)}, {gmap(b)}),\n" for a, b in spec) + pad + "]"


def gradient_lists(lists, indent):
    """A Swift `[[Float]]` literal, one inner array per list, `%.9g` (enough for float32), wrapped."""
    pad = " " * indent
    out = "[\n"
    for values in lists:
        out += pad + "    [\n"
        line = ""
        for v in values:
            item = "%.9g, " % (v + 0.0)
            if len(pad) + 8 + len(line) + len(item) > 130:
                out += pad + "        " + line.rstrip() + "\n"
                line = ""
            line += item
        out += pad + "        " + line.rstrip() + "\n" + pad + "    ]" + ("," if len(lists) > 1 else "") + "\n"
    return out + pad + "]"


def floats(values, indent):
    """A Swift array literal of `values`, five a line, each line indented by `indent` spaces."""
    lines = [", ".join(swift_float(x) for x in values[i:i + 5]) for i in range(0, len(values), 5)]
    pad = " " * indent
    return "[\n" + "".join(f"{pad}    {line},\n" for line in lines) + pad + "]"


AT_CASES = [
    ("code p2, pooled second pair", "code", 2.0, 1000.0,
     [([2, 3, 4, 4], 0.0), ([2, 5, 2, 2], 1.0)], [([2, 4, 4, 4], 2.0), ([2, 6, 4, 4], 3.0)]),
    ("code p3, student larger", "code", 3.0, 250.0, [([3, 2, 6, 6], 0.5)], [([3, 4, 3, 3], 1.5)]),
    ("paper p2", "paper", 2.0, 1000.0,
     [([2, 3, 4, 4], 0.25), ([2, 2, 4, 4], 4.0)], [([2, 5, 4, 4], 1.25), ([2, 3, 2, 2], 2.5)]),
]
FSP_CASES = [
    ("two pairs, max-pooled", 1.0,
     [(([2, 3, 4, 4], 0.0), ([2, 4, 4, 4], 1.0)), (([2, 4, 4, 4], 2.0), ([2, 5, 2, 2], 3.0))],
     [(([2, 3, 8, 8], 0.5), ([2, 4, 4, 4], 1.5)), (([2, 4, 4, 4], 2.5), ([2, 5, 4, 4], 3.5))]),
    ("one pair, beta 2.5", 2.5, [(([3, 2, 3, 3], 0.7), ([3, 3, 3, 3], 1.7))], [(([3, 2, 3, 3], 2.7), ([3, 3, 3, 3], 3.7))]),
]
HINT_CASES = [
    ("stride 2, relu", ([2, 3, 8, 8], 0.0), ([2, 4, 4, 4], 1.0), True, 0.5),
    ("valid 3x2, no relu", ([2, 3, 6, 5], 0.3), ([2, 4, 4, 4], 1.3), False, 0.9),
    ("1x1, relu", ([3, 2, 3, 3], 0.6), ([3, 5, 3, 3], 1.6), True, 0.2),
    ("linear, relu", ([4, 5], 0.4), ([4, 3], 1.4), True, 0.1),
]

print("// FeatureLossGolden: reference values and gradients of the at, fsp and fitnet-hint losses from PyTorch "
      + torch.__version__ + ".")
print("// GENERATED by scripts/golden/feature_losses.py; do not edit. Regenerate with")
print("// `python3 scripts/golden/feature_losses.py > Tests/KDMethodsTests/Fixtures/FeatureLossGolden.swift`.")
print()
print("/// A map of `shape` holding x[i] = sin(0.37·i + offset) in row-major order.")
print("struct FeatureGoldenMap {")
print("    let shape: [Int]")
print("    let offset: Double")
print("    init(_ shape: [Int], _ offset: Double) { (self.shape, self.offset) = (shape, offset) }")
print("}")
print()
print("/// The (first, last) maps of an FSP pair.")
print("typealias FeatureGoldenPair = (FeatureGoldenMap, FeatureGoldenMap)")
print()
print("/// Attention-transfer cases: name, mode, p, beta, student maps, teacher maps, weighted loss, and")
print("/// the weighted loss's gradient with respect to each student map (row-major).")
print("let atGolden: [(String, String, Float, Float, [FeatureGoldenMap], [FeatureGoldenMap], Float, [[Float]])] = [")
for name, mode, p, beta, s, t in AT_CASES:
    students, teachers = [make(*a) for a in s], [make(*a) for a in t]
    v = float(at_value(students, teachers, beta, p, mode))
    g = grads(at_value, students, teachers, beta, p, mode)
    print(f'    (\n        "{name}", "{mode}", {p}, {beta},\n        {maps(s)},\n        {maps(t)},\n        {swift_float(v)},')
    print(f'        {gradient_lists(g, 8)}\n    ),')
print("]")
print()
print("/// FSP cases: name, beta, student (first, last) pairs, teacher pairs, weighted loss, and the weighted")
print("/// loss's gradient with respect to each student map (first and last of each pair, in order).")
print("let fspGolden: [(String, Float, [FeatureGoldenPair], [FeatureGoldenPair], Float, [[Float]])] = [")
for name, beta, s, t in FSP_CASES:
    students = [(make(*a), make(*b)) for a, b in s]
    teachers = [(make(*a), make(*b)) for a, b in t]
    v = float(fsp_value(students, teachers, beta))
    flat = [m for pair in students for m in pair]
    pair_up = (lambda ms: [(ms[i], ms[i + 1]) for i in range(0, len(ms), 2)])
    g = grads(lambda xs, ts, b: fsp_value(pair_up(xs), pair_up(ts), b), flat, [m for pair in teachers for m in pair], beta)
    print(f'    (\n        "{name}", {beta},\n        {pairs(s)},\n        {pairs(t)},\n        {swift_float(v)},')
    print(f'        {gradient_lists(g, 8)}\n    ),')
print("]")
print()
print("/// FitNets hint cases: name, student tap, teacher tap, relu, weight offset (weights 0.3·sin(0.11·i + o),")
print("/// a Linear bias with o + 1), the regressor kind, the hint MSE, the regressed output, and the MSE's")
print("/// gradient with respect to the student tap and to the regressor's weight.")
print("let hintGolden: [(String, FeatureGoldenMap, FeatureGoldenMap, Bool, Double, String, Float, [Float], [[Float]])] = [")
for name, s, t, relu, woff in HINT_CASES:
    kind, v, out, g = hint(make(*s), make(*t), relu, woff)
    print(f'    (\n        "{name}", {gmap(s)}, {gmap(t)}, {str(relu).lower()}, {woff}, "{kind}",')
    print(f'        {swift_float(v)},\n        {floats(out, 8)},\n        {gradient_lists(g, 8)}\n    ),')
print("]")
