#!/usr/bin/env python3
"""Golden numbers for the losses of the anchors' further methods (issue "methods every paper compares
against"), from PyTorch, each reimplementing the formula of the README's method table (not a copy of a
reference implementation): pkt (Passalis & Tefas 2018), dkd (Zhao et al. 2022), dist (Huang et al.
2022), nst (Huang & Wang 2017), cc (Peng et al. 2019) and logit
standardization (Sun et al. 2024) of kd and dkd, tfkd's virtual teacher (Yuan et al. 2020), vid (Ahn et al.
2019), ofd and ab (Heo et al. 2019).

Regenerate (needs torch; the Swift tests never need Python):
    python3 scripts/golden/zoo_losses.py > Tests/KDMethodsTests/Fixtures/ZooLossGolden.swift

pkt: per network, rows of the [B, D] embedding divided by their L2 norm + 1e-7 (NaN -> 0), cosine
matrix C = X X^T, K = (C + 1) / 2, rows normalised to P = K / sum_j K; the term is
(1/B^2) sum_ij Pt log((Pt + 1e-7) / (Ps + 1e-7)), teacher side without gradient. The gradient is with
respect to the student embedding. Inputs: B = 6, D_s = 8, D_t = 12, one student row all zeros.

dkd at T: p = softmax(z/T); tckd = batchmean KL((pt[y], 1 - pt[y]) || (ps[y], 1 - ps[y])); nckd =
batchmean KL of the softmaxes over the non-target classes (computed by dropping the target column, in
float64); also the full KL, for the identity KL = tckd + (1 - pt[y]) nckd per sample. Two cases: random
teacher logits, and a near one-hot teacher (target logit 60 above the rest).

dist at T: p = softmax(z/T); rho(u, v) = <u - mean u, v - mean v> / (|u - mean u| |v - mean v| + 1e-8);
inter = 1 - mean over rows of rho, intra = 1 - mean over columns. Two cases: B = 4, K = 5 random, and
the same with every student row equal (each class's student probability constant over the batch).

nst: channels of [B, C, H, W] maps flattened to [B, C, HW] and L2-normalised (F.normalize, eps 1e-12),
the larger map average-pooled to the smaller first; k(x, y) = (x.y)^2; mmd = mean k(t,t) + mean k(s,s)
- 2 mean k(s,t). Student [2, 3, 4, 4] against teacher [2, 5, 2, 2].

cc: heads h = x W^T + b on student [5, 6] and teacher [5, 8] features, both to 4-d. code mode:
e = h_s - h_t, (1/(B-1)) sum_i sum_d |e[i,d]| |e[i+1,d]|. paper mode (gamma 0.4): G = exp(-2g) (1 + 2g
h h^T + (2g)^2/2 (h h^T)^2) per network, ||G_s - G_t||_F / B^2. Gradients with respect to the student
features and all four head tensors (the teacher features have none).

logit standardization (Sun et al. 2024): z -> (z - mean) / (std + 1e-7) per row, std with ddof = 1
(torch.std's default, unbiased), applied to both networks' logits; then the kd term T^2 KL at T = 2 and
dkd's (tckd, nckd) at T = 2, on [3, 7] logits, one student row constant (std 0).

tfkd reg (Yuan et al. 2020, the authors' code form): u[k] = a at the label, (1 - a)/(K - 1) elsewhere,
q = softmax(u / T); the term is batchmean KL(q || softmax(z)) with the student at T = 1. K = 100, T = 20,
a = 0.99, logits [2, 100], labels [3, 97].

vid (Ahn et al. 2019): the student map average-pooled to the teacher's size, mu = conv3(relu(conv2(relu(
conv1(s))))) (1x1, no bias), var = softplus(theta) + 1e-5 per channel; the term is the mean over all
elements of 0.5 ((mu - t)^2 / var + log var). Student [2, 4, 8, 8], teacher [2, 6, 4, 4]; gradients for
the map, the three weights and theta.

ofd (Heo et al. 2019): margins m = beta - sigma phi(beta/sigma) / Phi(-beta/sigma) (sigma = |gamma|) while
Phi(-beta/sigma) > 0.001, else -3 sigma; min(beta, 0) at gamma = 0 (channels: ordinary, beyond the
cutoff, gamma = 0). Loss (1/B) sum (s - t^)^2 where s > t^ or t^ > 0, t^ = max(t, m); the teacher map
[2, 3, 4, 4] is average-pooled to the student's [2, 3, 2, 2]. Gradient with respect to s.

ab (Heo et al. 2019, activation boundaries): (3/1000) (1/B) sum [(s + mu)^2 1(s > -mu and t <= 0) +
(s - mu)^2 1(s <= mu and t > 0)], mu = 1, on [2, 8] values with students exactly at -1, 1 and 0 and
teachers exactly at 0.
"""
import torch

torch.set_default_dtype(torch.float64)   # references in double, inputs rounded to float32 first
gen = torch.Generator().manual_seed(20180908)


def draw(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).double()


def f32(x):
    return "%.9g" % float(x)


def floats(t, per_line=6):
    """A Swift array literal, `per_line` values a line (the fixture stays within swift-format's width)."""
    v = [f32(x) for x in t.flatten().tolist()]
    lines = [", ".join(v[i:i + per_line]) for i in range(0, len(v), per_line)]
    return "[\n" + "".join("        %s,\n" % line for line in lines) + "    ]"


def conditional(x, eps=1e-7):
    x = x / (x.norm(dim=1, keepdim=True) + eps)
    x = torch.nan_to_num(x, nan=0.0)
    k = (x @ x.t() + 1) / 2
    return k / k.sum(dim=1, keepdim=True)


def pkt(fs, ft, eps=1e-7):
    ps = conditional(fs)
    with torch.no_grad():
        pt = conditional(ft)
    b = fs.shape[0]
    return (pt * torch.log((pt + eps) / (ps + eps))).sum() / (b * b)


out = []
emit = out.append
emit("// ZooLossGolden: reference numbers from PyTorch %s for the further methods' losses (pkt, dkd, dist, nst, cc, logit standardization, tfkd, vid, ofd, ab)." % torch.__version__)
emit("// GENERATED by scripts/golden/zoo_losses.py; do not edit. Regenerate with")
emit("// `python3 scripts/golden/zoo_losses.py > Tests/KDMethodsTests/Fixtures/ZooLossGolden.swift`.")
emit("")
emit("/// Inputs, loss values and gradients with respect to the student input (unweighted terms).")
emit("enum ZooLossGolden {")
fs, ft = draw(6, 8), draw(6, 12, scale=2.0)
fs[3] = 0.0
x = fs.clone().requires_grad_(True)
value = pkt(x, ft)
(g,) = torch.autograd.grad(value, x)
emit("    // pkt on student [6, 8] (row 3 all zeros) and teacher [6, 12].")
emit("    static let pktStudentShape = [6, 8]")
emit("    static let pktTeacherShape = [6, 12]")
emit("    static let pktStudent: [Float] = %s" % floats(fs))
emit("    static let pktTeacher: [Float] = %s" % floats(ft))
emit("    static let pktLoss: Float = %s" % f32(value.item()))
emit("    static let pktGrad: [Float] = %s" % floats(g))


def dkd_terms(zs, zt, y, T):
    ps, pt = torch.softmax(zs / T, 1), torch.softmax(zt / T, 1)
    b, k = zs.shape
    idx = torch.arange(b)
    bs = torch.stack([ps[idx, y], 1 - ps[idx, y]], 1)
    bt = torch.stack([pt[idx, y], 1 - pt[idx, y]], 1)
    tckd = (bt * (bt.log() - bs.log())).sum() / b
    keep = torch.ones(b, k, dtype=torch.bool)
    keep[idx, y] = False
    qs = torch.softmax((zs / T)[keep].view(b, k - 1), 1)
    qt = torch.softmax((zt / T)[keep].view(b, k - 1), 1)
    nckd = (qt * (qt.log() - qs.log())).sum() / b
    return tckd, nckd


for name, certain in [("dkd", False), ("dkdCertain", True)]:
    zs, zt = draw(4, 5, scale=2.0), draw(4, 5, scale=3.0)
    y = torch.tensor([2, 0, 4, 1])
    if certain:
        zt = torch.zeros(4, 5, dtype=torch.float64)
        zt[torch.arange(4), y] = 60.0
    T = 4.0
    x = zs.clone().requires_grad_(True)
    tckd, nckd = dkd_terms(x, zt, y, T)
    (gt,) = torch.autograd.grad(tckd, x, retain_graph=True)
    (gn,) = torch.autograd.grad(nckd, x)
    ps, pt = torch.softmax(zs / T, 1), torch.softmax(zt / T, 1)
    kl = (pt * (pt.log() - ps.log())).sum() / 4
    emit("    // dkd at T = 4 on [4, 5] logits, labels [2, 0, 4, 1]%s." % (", teacher near one-hot (gap 60)" if certain else ""))
    emit("    static let %sStudent: [Float] = %s" % (name, floats(zs)))
    emit("    static let %sTeacher: [Float] = %s" % (name, floats(zt)))
    emit("    static let %sTCKD: Float = %s" % (name, f32(tckd.item())))
    emit("    static let %sNCKD: Float = %s" % (name, f32(nckd.item())))
    emit("    static let %sKL: Float = %s" % (name, f32(kl.item())))
    emit("    static let %sTCKDGrad: [Float] = %s" % (name, floats(gt)))
    emit("    static let %sNCKDGrad: [Float] = %s" % (name, floats(gn)))
def pearson(a, b, dim):
    ac, bc = a - a.mean(dim, keepdim=True), b - b.mean(dim, keepdim=True)
    return (ac * bc).sum(dim) / (ac.norm(dim=dim) * bc.norm(dim=dim) + 1e-8)


def dist_terms(zs, zt, T):
    ps, pt = torch.softmax(zs / T, 1), torch.softmax(zt / T, 1).detach()
    return 1 - pearson(ps, pt, 1).mean(), 1 - pearson(ps, pt, 0).mean()


for name, constant in [("dist", False), ("distConstant", True)]:
    zs, zt = draw(4, 5, scale=2.0), draw(4, 5, scale=3.0)
    if constant:
        zs = zs[:1].repeat(4, 1)
    x = zs.clone().requires_grad_(True)
    inter, intra = dist_terms(x, zt, 4.0)
    (gi,) = torch.autograd.grad(inter, x, retain_graph=True)
    (ga,) = torch.autograd.grad(intra, x)
    emit("    // dist at T = 4 on [4, 5] logits%s." % (", every student row equal" if constant else ""))
    emit("    static let %sStudent: [Float] = %s" % (name, floats(zs)))
    emit("    static let %sTeacher: [Float] = %s" % (name, floats(zt)))
    emit("    static let %sInter: Float = %s" % (name, f32(inter.item())))
    emit("    static let %sIntra: Float = %s" % (name, f32(intra.item())))
    emit("    static let %sInterGrad: [Float] = %s" % (name, floats(gi)))
    emit("    static let %sIntraGrad: [Float] = %s" % (name, floats(ga)))


def nst_channels(f):
    return torch.nn.functional.normalize(f.flatten(2), dim=2, eps=1e-12)


def nst(fs, ft):
    if fs.shape[2:] != ft.shape[2:]:
        h, w = min(fs.shape[2], ft.shape[2]), min(fs.shape[3], ft.shape[3])
        fs = torch.nn.functional.adaptive_avg_pool2d(fs, (h, w))
        ft = torch.nn.functional.adaptive_avg_pool2d(ft, (h, w))
    s, t = nst_channels(fs), nst_channels(ft.detach())
    k = lambda a, b: (a @ b.transpose(1, 2)).pow(2).mean()
    return k(t, t) + k(s, s) - 2 * k(s, t)


fs, ft = draw(2, 3, 4, 4), draw(2, 5, 2, 2, scale=2.0)
x = fs.clone().requires_grad_(True)
value = nst(x, ft)
(g,) = torch.autograd.grad(value, x)
emit("    // nst on student [2, 3, 4, 4] and teacher [2, 5, 2, 2].")
emit("    static let nstStudent: [Float] = %s" % floats(fs))
emit("    static let nstTeacher: [Float] = %s" % floats(ft))
emit("    static let nstLoss: Float = %s" % f32(value.item()))
emit("    static let nstGrad: [Float] = %s" % floats(g))


def cc_kernel(h, g):
    d = h @ h.t()
    return torch.exp(torch.tensor(-2 * g)) * (1 + 2 * g * d + (2 * g) ** 2 / 2 * d * d)


def cc(hs, ht, mode, g=0.4):
    if mode == "code":
        e = (hs - ht).abs()
        return (e[:-1] * e[1:]).sum() / (hs.shape[0] - 1)
    b = hs.shape[0]
    return (cc_kernel(hs, g) - cc_kernel(ht, g)).norm() / (b * b)


fs, ft = draw(5, 6), draw(5, 8, scale=2.0)
ws, bs, wt, bt = draw(4, 6, scale=0.4), draw(4, scale=0.4), draw(4, 8, scale=0.3), draw(4, scale=0.3)
emit("    // cc: student features [5, 6], teacher [5, 8], heads W_s [4, 6], b_s [4], W_t [4, 8], b_t [4].")
emit("    static let ccStudent: [Float] = %s" % floats(fs))
emit("    static let ccTeacher: [Float] = %s" % floats(ft))
for n, v in [("ccStudentWeight", ws), ("ccStudentBias", bs), ("ccTeacherWeight", wt), ("ccTeacherBias", bt)]:
    emit("    static let %s: [Float] = %s" % (n, floats(v)))
for mode in ["code", "paper"]:
    leaves = [t.clone().requires_grad_(True) for t in (fs, ws, bs, wt, bt)]
    x, a, b, c, d = leaves
    value = cc(x @ a.t() + b, ft @ c.t() + d, mode)
    grads = torch.autograd.grad(value, leaves)
    emit("    // cc mode %s: the loss and gradients for student features, W_s, b_s, W_t, b_t." % mode)
    emit("    static let cc%sLoss: Float = %s" % (mode.capitalize(), f32(value.item())))
    emit("    static let cc%sGrads: [[Float]] = [%s]" % (mode.capitalize(), ", ".join(floats(g) for g in grads)))
def standardize(z):
    return (z - z.mean(1, keepdim=True)) / (z.std(1, keepdim=True, unbiased=True) + 1e-7)


zs, zt = draw(3, 7, scale=2.0), draw(3, 7, scale=3.0)
zs[1] = 0.5
y = torch.tensor([4, 0, 6])
T = 2.0
x = zs.clone().requires_grad_(True)
ss, st = standardize(x), standardize(zt)
kd = (torch.softmax(st / T, 1) * (torch.log_softmax(st / T, 1) - torch.log_softmax(ss / T, 1))).sum() / 3 * T * T
(gk,) = torch.autograd.grad(kd, x)
x2 = zs.clone().requires_grad_(True)
tckd, nckd = dkd_terms(standardize(x2), st, y, T)
(gt,) = torch.autograd.grad(tckd, x2, retain_graph=True)
(gn,) = torch.autograd.grad(nckd, x2)
emit("    // logit standardization, [3, 7] logits (student row 1 constant), labels [4, 0, 6], T = 2: kd (T²-scaled), tckd, nckd.")
emit("    static let lsStudent: [Float] = %s" % floats(zs))
emit("    static let lsTeacher: [Float] = %s" % floats(zt))
emit("    static let lsStandardizedTeacher: [Float] = %s" % floats(st))
emit("    static let lsKD: Float = %s" % f32(kd.item()))
emit("    static let lsKDGrad: [Float] = %s" % floats(gk))
emit("    static let lsTCKD: Float = %s" % f32(tckd.item()))
emit("    static let lsNCKD: Float = %s" % f32(nckd.item()))
emit("    static let lsTCKDGrad: [Float] = %s" % floats(gt))
emit("    static let lsNCKDGrad: [Float] = %s" % floats(gn))
K, T, a = 100, 20.0, 0.99
y = torch.tensor([3, 97])
u = torch.full((2, K), (1 - a) / (K - 1))
u[torch.arange(2), y] = a
q = torch.softmax(u / T, 1)
z = draw(2, K, scale=2.0)
x = z.clone().requires_grad_(True)
reg = (q * (q.log() - torch.log_softmax(x, 1))).sum() / 2
(g,) = torch.autograd.grad(reg, x)
emit("    // tfkd reg: virtual teacher at K = 100, T = 20, a = 0.99 (label and other entries), logits [2, 100], labels [3, 97].")
emit("    static let tfkdTargetLabel: Float = %s" % f32(q[0, 3].item()))
emit("    static let tfkdTargetOther: Float = %s" % f32(q[0, 0].item()))
emit("    static let tfkdLogits: [Float] = %s" % floats(z))
emit("    static let tfkdReg: Float = %s" % f32(reg.item()))
emit("    static let tfkdRegGrad: [Float] = %s" % floats(g))
fs, ft = draw(2, 4, 8, 8), draw(2, 6, 4, 4)
w1, w2, w3 = draw(6, 4, 1, 1, scale=0.5), draw(6, 6, 1, 1, scale=0.4), draw(6, 6, 1, 1, scale=0.4)
theta = draw(6, scale=0.5) + 2.0
leaves = [t.clone().requires_grad_(True) for t in (fs, w1, w2, w3, theta)]
x, a, b, c, th = leaves
xs = torch.nn.functional.adaptive_avg_pool2d(x, (4, 4))
mu = torch.nn.functional.conv2d(torch.relu(torch.nn.functional.conv2d(torch.relu(torch.nn.functional.conv2d(xs, a)), b)), c)
var = torch.nn.functional.softplus(th) + 1e-5
v = var.view(1, 6, 1, 1)
value = (0.5 * ((mu - ft) ** 2 / v + torch.log(v))).mean()
grads = torch.autograd.grad(value, leaves)
emit("    // vid: student [2, 4, 8, 8] (pooled to 4x4), teacher [2, 6, 4, 4], convs [6, 4], [6, 6], [6, 6] (1x1), theta [6].")
emit("    static let vidStudent: [Float] = %s" % floats(fs))
emit("    static let vidTeacher: [Float] = %s" % floats(ft))
emit("    static let vidWeights: [[Float]] = [%s]" % ", ".join(floats(t) for t in (w1, w2, w3)))
emit("    static let vidTheta: [Float] = %s" % floats(theta))
emit("    static let vidLoss: Float = %s" % f32(value.item()))
emit("    static let vidGrads: [[Float]] = [%s]" % ", ".join(floats(g) for g in grads))
def ofd_margin(gamma, beta):
    s, b = abs(gamma), beta
    if s == 0:
        return min(b, 0.0)
    z = torch.tensor(b / s, dtype=torch.float64)
    tail = torch.special.ndtr(-z).item()
    if tail <= 0.001:
        return -3 * s
    pdf = torch.exp(-z * z / 2).item() / (2 * torch.pi) ** 0.5
    return b - s * pdf / tail


gammas, betas = [0.8, 0.25, 0.0], [0.3, 1.2, -0.4]
margins = torch.tensor([ofd_margin(g, b) for g, b in zip(gammas, betas)])
s_map, t_map = draw(2, 3, 2, 2), draw(2, 3, 4, 4)
x = s_map.clone().requires_grad_(True)
tp = torch.nn.functional.adaptive_avg_pool2d(t_map, (2, 2))
th = torch.max(tp, margins.view(1, 3, 1, 1))
keep = ((x > th) | (th > 0)).double()
value = ((x - th) ** 2 * keep).sum() / 2
(g,) = torch.autograd.grad(value, x)
emit("    // ofd: margins of (gamma, beta) = (0.8, 0.3), (0.25, 1.2) (beyond the cutoff), (0, -0.4); student [2, 3, 2, 2],")
emit("    // teacher [2, 3, 4, 4] pooled to it.")
emit("    static let ofdGammas: [Float] = %s" % floats(torch.tensor(gammas)))
emit("    static let ofdBetas: [Float] = %s" % floats(torch.tensor(betas)))
emit("    static let ofdMargins: [Float] = %s" % floats(margins))
emit("    static let ofdStudent: [Float] = %s" % floats(s_map))
emit("    static let ofdTeacher: [Float] = %s" % floats(t_map))
emit("    static let ofdLoss: Float = %s" % f32(value.item()))
emit("    static let ofdGrad: [Float] = %s" % floats(g))
s_ab = torch.tensor([[-1.0, 1.0, 0.0, 0.0, -1.5, 2.0, 0.5, -0.3], [1.0, -1.0, 0.25, -2.0, 1.5, 0.9, -0.9, 3.0]])
t_ab = torch.tensor([[0.0, 0.0, 0.0, 1.0, 0.5, -1.0, -0.2, 2.0], [0.3, 0.7, -0.1, 0.0, -2.0, 1.0, 0.0, 0.1]])
x = s_ab.clone().requires_grad_(True)
mu = 1.0
off = t_ab <= 0
below = (off & (x > -mu)).double()
above = ((~off) & (x <= mu)).double()
value = (3 / 1000) * (((x + mu) ** 2 * below).sum() + ((x - mu) ** 2 * above).sum()) / 2
(g,) = torch.autograd.grad(value, x)
emit("    // ab at margin 1 on [2, 8] pre-ReLU values with entries at -1, 1 and 0 and teachers at 0 on both sides.")
emit("    static let abStudent: [Float] = %s" % floats(s_ab))
emit("    static let abTeacher: [Float] = %s" % floats(t_ab))
emit("    static let abLoss: Float = %s" % f32(value.item()))
emit("    static let abGrad: [Float] = %s" % floats(g))
emit("}")
print("\n".join(out))
