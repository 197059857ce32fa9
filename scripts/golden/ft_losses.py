#!/usr/bin/env python3
"""Golden numbers for factor transfer (Kim et al. 2018, "Paraphrasing Complex Network"), from PyTorch, a
reimplementation of the formula in the README's method notes (not a copy of a reference implementation).

Regenerate (needs torch; the Swift tests never need Python):
    python3 scripts/golden/ft_losses.py > Tests/KDMethodsTests/Fixtures/FTGolden.swift

Paraphraser on a teacher map t [2, 4, 4, 4] (C = 4, rate 0.5, so kC = 2): encoder Conv2d 4->4, 4->2, 2->2;
decoder ConvTranspose2d 2->2, 2->4, 4->4 (weights in PyTorch's layout [in, out, 3, 3]); all 3x3, stride
1, pad 1, with bias, each followed by LeakyReLU(0.1), no BN. Stage 1: rec = MSE(decoder(encoder(t)), t),
with gradients with respect to the twelve paraphraser tensors (encoder weight, bias x3, then decoder).

Translator on a student map s [2, 3, 8, 8] (C_s = 3): Conv2d 3->3, 3->2, 2->2, each with bias, then
BatchNorm2d in training mode (batch statistics, biased variance, eps 1e-5, gamma and beta drawn) and
LeakyReLU(0.1). Stage 2: F_s = translator(s) [2, 2, 8, 8] average-pooled to F_t = encoder(t) [2, 2, 4, 4].
code: a(F) = F.normalize(mean_c F^2 flattened to [B, HW]), ft = mean |a(F_s) - a(F_t)|.
paper: n(F) = F.normalize(F flattened to [B, C*H*W]), ft = sum |n(F_s) - n(F_t)| / B.
Gradients with respect to s and the translator's tensors (conv weight, bias, BN weight, BN bias per
layer); the paraphraser gets none (frozen).
"""
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)   # references in double, inputs rounded to float32 first
gen = torch.Generator().manual_seed(20180524)


def draw(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale + shift).double()


def f32(x):
    return "%.9g" % float(x)


def floats(t, per_line=6):
    """A Swift array literal, `per_line` values a line (the fixture stays within swift-format's width)."""
    v = [f32(x) for x in t.flatten().tolist()]
    lines = [", ".join(v[i:i + per_line]) for i in range(0, len(v), per_line)]
    return "[\n" + "".join("        %s,\n" % line for line in lines) + "    ]"


def nested(ts, per_line=6):
    """A Swift [[Float]] literal laid out as swift-format leaves it (so `make fmt` keeps the file as generated)."""
    parts = []
    for t in ts:
        v = [f32(x) for x in t.flatten().tolist()]
        lines = [", ".join(v[i:i + per_line]) for i in range(0, len(v), per_line)]
        parts.append("        [\n" + "".join("            %s,\n" % line for line in lines) + "        ],\n")
    return "[\n" + "".join(parts) + "    ]"


def leaky(x):
    return F.leaky_relu(x, 0.1)


out = []


def emit(line=""):
    out.append(line)


# Paraphraser (C = 4, kC = 2).
t = draw(2, 4, 4, 4)
enc = [(draw(4, 4, 3, 3, scale=0.3), draw(4, scale=0.2)),
       (draw(2, 4, 3, 3, scale=0.3), draw(2, scale=0.2)),
       (draw(2, 2, 3, 3, scale=0.3), draw(2, scale=0.2))]
dec = [(draw(2, 2, 3, 3, scale=0.3), draw(2, scale=0.2)),   # ConvTranspose2d(2, 2): [in, out, 3, 3]
       (draw(2, 4, 3, 3, scale=0.3), draw(4, scale=0.2)),   # ConvTranspose2d(2, 4)
       (draw(4, 4, 3, 3, scale=0.3), draw(4, scale=0.2))]   # ConvTranspose2d(4, 4)
para = [x for pair in enc + dec for x in pair]
for p in para:
    p.requires_grad_(True)


def encode(x):
    for w, b in enc:
        x = leaky(F.conv2d(x, w, b, stride=1, padding=1))
    return x


def decode(f):
    for w, b in dec:
        f = leaky(F.conv_transpose2d(f, w, b, stride=1, padding=1))
    return f


rec = F.mse_loss(decode(encode(t)), t)
rec.backward()
rec_grads = [p.grad.clone() for p in para]
for p in para:
    p.grad = None
    p.requires_grad_(False)

# Translator (C_s = 3 -> kC_t = 2) and the factor term in both modes.
s0 = draw(2, 3, 8, 8)
trans = [(draw(3, 3, 3, 3, scale=0.3), draw(3, scale=0.2), draw(3, scale=0.2, shift=1.0), draw(3, scale=0.2)),
         (draw(2, 3, 3, 3, scale=0.3), draw(2, scale=0.2), draw(2, scale=0.2, shift=1.0), draw(2, scale=0.2)),
         (draw(2, 2, 3, 3, scale=0.3), draw(2, scale=0.2), draw(2, scale=0.2, shift=1.0), draw(2, scale=0.2))]
trans_flat = [x for quad in trans for x in quad]
with torch.no_grad():
    factor_t = encode(t)


def translate(x):
    for w, b, g, beta in trans:
        x = F.conv2d(x, w, b, stride=1, padding=1)
        x = F.batch_norm(x, None, None, g, beta, training=True, eps=1e-5)
        x = leaky(x)
    return x


def factor_loss(fs, ft, mode):
    if fs.shape[2] > ft.shape[2]:
        fs = F.adaptive_avg_pool2d(fs, ft.shape[2:])
    if mode == "code":
        a = lambda f: F.normalize(f.pow(2).mean(1).view(f.size(0), -1), eps=1e-12)
        return (a(fs) - a(ft)).abs().mean()
    n = lambda f: F.normalize(f.view(f.size(0), -1), eps=1e-12)
    return (n(fs) - n(ft)).abs().sum() / fs.size(0)


results = {}
for mode in ("code", "paper"):
    s = s0.clone().requires_grad_(True)
    for p in trans_flat:
        p.requires_grad_(True)
        p.grad = None
    value = factor_loss(translate(s), factor_t, mode)
    value.backward()
    results[mode] = (value.item(), [s.grad.clone()] + [p.grad.clone() for p in trans_flat])

emit("// FTGolden: reference numbers from PyTorch %s for factor transfer (Kim et al. 2018): the paraphraser's" % torch.__version__)
emit("// reconstruction loss (ConvTranspose2d in PyTorch's layout) and the factor term in both modes.")
emit("// GENERATED by scripts/golden/ft_losses.py; do not edit. Regenerate with")
emit("// `python3 scripts/golden/ft_losses.py > Tests/KDMethodsTests/Fixtures/FTGolden.swift`.")
emit()
emit("/// Inputs, weights, loss values and gradients of both stages (unweighted terms).")
emit("enum FTGolden {")
emit("    // Teacher map [2, 4, 4, 4].")
emit("    static let teacher: [Float] = %s" % floats(t))
emit("    // Paraphraser: encoder conv (weight [out, in, 3, 3], bias) x3, then decoder transposed conv")
emit("    // (weight [in, out, 3, 3], bias) x3: encoder.0, .3, .6, decoder.0, .3, .6.")
emit("    static let paraphraser: [[Float]] = %s" % nested(p.detach() for p in para))
emit("    static let reconstruction: Float = %s" % f32(rec.item()))
emit("    static let reconstructionGrads: [[Float]] = %s" % nested(rec_grads))
emit("    // Student map [2, 3, 8, 8].")
emit("    static let student: [Float] = %s" % floats(s0))
emit("    // Translator: per layer conv weight, conv bias, BN weight, BN bias (layers 3->3, 3->2, 2->2).")
emit("    static let translator: [[Float]] = %s" % nested(p.detach() for p in trans_flat))
for mode in ("code", "paper"):
    value, grads = results[mode]
    emit("    static let %sLoss: Float = %s" % (mode, f32(value)))
    emit("    // Gradients: student map, then the translator's tensors in the order above.")
    emit("    static let %sGrads: [[Float]] = %s" % (mode, nested(grads)))
emit("}")
print("\n".join(out))
