#!/usr/bin/env python3
"""Golden numbers for kdsvd (Lee et al. 2018, "Self-supervised Knowledge Distillation Using Singular Value
Decomposition"), from PyTorch, a reimplementation of the formula in methods-zoo.md and the README (not a
copy of a reference implementation).

Regenerate (needs torch; the Swift tests never need Python):
    python3 scripts/golden/kdsvd_losses.py > Tests/KDMethodsTests/Fixtures/KDSVDGolden.swift

Per tap and sample the map [C, H, W] is read as X [HW, C]; its right-singular vectors are the eigenvectors
of G = X^T X (torch.linalg.eigh in float64), by descending eigenvalue, each signed so that its entry of
largest magnitude (the first such) is positive. Teacher: the first k vectors V_t [C, k] and
sigma_hat = normalize(sqrt(eigenvalues[:k])). Student: the first k + 3 (at most C), aligned: for each
teacher vector the student vector of largest |cosine| times the cosine's sign. Both are multiplied by
sigma_hat. Between consecutive taps (u at tap i, w at tap i-1): R[b, c, c', j] = exp(-(u[b, c, j] -
w[b, c', j])^2 / 8) per network, term sum((R_s - R_t)^2) / B (non-finite entries 0), summed over pairs.

Cases: `separated`, three taps [2, 4, 3, 3], [2, 5, 3, 3], [2, 6, 3, 3] whose maps have imposed,
well-separated singular values (k = 1 and k = 2, value and gradient with respect to the student maps);
`flip`, two taps where the student's leading vector under the sign convention points against the
teacher's (the alignment multiplies it by -1).
"""
import torch
from literals import f32, floats, nested  # noqa: E402 (scripts/golden/literals.py)

torch.set_default_dtype(torch.float64)   # references in double, inputs rounded to float32 first
gen = torch.Generator().manual_seed(20181203)


def orthonormal(n, m, first=None):
    """An [n, m] matrix with orthonormal columns (QR of a random matrix), its first column `first` if given."""
    a = torch.randn(n, m, generator=gen)
    if first is not None:
        a[:, 0] = first
    q, r = torch.linalg.qr(a)
    return q * torch.sign(torch.diagonal(r))


def map_with_spectrum(c, h, w, sigma, first=None):
    """A map [C, H, W] whose X [HW, C] has singular values `sigma` (and leading right vector `first`)."""
    x = orthonormal(h * w, c) @ torch.diag(torch.tensor(sigma)) @ orthonormal(c, c, first).T
    return x.T.reshape(c, h, w).float().double()   # rounded to float32, as the Swift test reads it


def batch(c, hw, sigmas, firsts=None):
    return torch.stack([map_with_spectrum(c, hw, hw, s, None if firsts is None else firsts[i])
                        for i, s in enumerate(sigmas)])


def right_vectors(f, n):
    """The first n right-singular vectors [B, C, n] of each map read as [HW, C] and their eigenvalues [B, n]."""
    b, c = f.shape[0], f.shape[1]
    x = f.reshape(b, c, -1)                     # X^T, [B, C, HW]
    lam, v = torch.linalg.eigh(x @ x.transpose(1, 2))
    lam, v = lam.flip(-1)[:, :n], v.flip(-1)[:, :, :n]
    pivot = v.detach().abs().argmax(dim=1, keepdim=True)
    sign = torch.sign(torch.gather(v.detach(), 1, pivot))
    return v * sign, lam


def vectors(fs, ft, k):
    vt, lam = right_vectors(ft, k)
    sigma = torch.nn.functional.normalize(lam.clamp(min=0).sqrt(), dim=1, eps=1e-12).unsqueeze(1)
    vs, _ = right_vectors(fs, min(k + 3, fs.shape[1]))
    cosine = vs.detach().transpose(1, 2) @ vt           # [B, k_s, k_t]
    best = cosine.abs().argmax(dim=1, keepdim=True)     # first maximum, as the Swift loop
    mask = torch.zeros_like(cosine).scatter(1, best, torch.sign(torch.gather(cosine, 1, best)))
    return (vs @ mask) * sigma, vt * sigma


def kernel(u, w):
    return torch.exp(-(u.unsqueeze(2) - w.unsqueeze(1)).pow(2) / 8)


def kdsvd(fs, ft, k):
    total, prev = 0.0, None
    for s, t in zip(fs, ft):
        cur = vectors(s, t, k)
        if prev is not None:
            d = (kernel(cur[0], prev[0]) - kernel(cur[1], prev[1]).detach()).pow(2)
            d = torch.where(torch.isfinite(d), d, torch.zeros_like(d))
            total = total + d.sum() / s.shape[0]
        prev = cur
    return total


def run(fs, ft, k):
    fs = [s.clone().requires_grad_(True) for s in fs]
    value = kdsvd(fs, ft, k)
    value.backward()
    return value.item(), [s.grad for s in fs]


out = []


def emit(line=""):
    out.append(line)


# Well-separated spectra: singular values spread by a factor of about 1.6 or more.
widths = [4, 5, 6]
spectra = lambda c, scale: [[scale * (3.0 - 0.2 * b) * 0.6 ** j for j in range(c)] for b in range(2)]
sep_s = [batch(c, 3, spectra(c, 1.0)) for c in widths]
sep_t = [batch(c, 3, spectra(c, 1.3)) for c in widths]
sep = {k: run(sep_s, sep_t, k) for k in (1, 2)}

# Sign flip: the teacher's leading vector has its largest entry first, the student's (nearly the same
# direction, negated) has it second, so the convention signs them against each other.
q = torch.tensor([1.0, -0.95, 0.3, 0.1])
p = -torch.tensor([0.95, -1.0, 0.3, 0.1])
q, p = q / q.norm(), p / p.norm()
flip_t = [batch(4, 3, spectra(4, 1.3), [q, q]), batch(5, 3, spectra(5, 1.3))]
flip_s = [batch(4, 3, spectra(4, 1.0), [p, p]), batch(5, 3, spectra(5, 1.0))]
flip = run(flip_s, flip_t, 1)
_vs, _vt = right_vectors(flip_s[0], 4)[0], right_vectors(flip_t[0], 1)[0]
assert ((_vs.transpose(1, 2) @ _vt)[:, 0, 0] < -0.9).all(), "the flip case must flip the student's leading vector"

emit("// KDSVDGolden: reference numbers from PyTorch %s for kdsvd (Lee et al. 2018): the kernel terms between" % torch.__version__)
emit("// consecutive taps' leading right-singular vectors (torch.linalg.eigh of XᵀX in float64).")
emit("// GENERATED by scripts/golden/kdsvd_losses.py; do not edit. Regenerate with")
emit("// `python3 scripts/golden/kdsvd_losses.py > Tests/KDMethodsTests/Fixtures/KDSVDGolden.swift`.")
emit()
emit("/// Student and teacher maps, loss values and gradients with respect to the student maps (unweighted).")
emit("enum KDSVDGolden {")
emit("    // Well-separated spectra: maps [2, C, 3, 3] for C = 4, 5, 6 (student, then teacher).")
emit("    static let separatedStudent: [[Float]] = %s" % nested(sep_s))
emit("    static let separatedTeacher: [[Float]] = %s" % nested(sep_t))
for k in (1, 2):
    emit("    static let separatedLossK%d: Float = %s" % (k, f32(sep[k][0])))
    emit("    static let separatedGradsK%d: [[Float]] = %s" % (k, nested(sep[k][1])))
emit("    // Sign flip: maps [2, 4, 3, 3] and [2, 5, 3, 3]; the alignment negates the student's leading vector.")
emit("    static let flipStudent: [[Float]] = %s" % nested(flip_s))
emit("    static let flipTeacher: [[Float]] = %s" % nested(flip_t))
emit("    static let flipLoss: Float = %s" % f32(flip[0]))
emit("    static let flipGrads: [[Float]] = %s" % nested(flip[1]))
emit("}")
print("\n".join(out))
