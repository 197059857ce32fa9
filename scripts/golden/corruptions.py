#!/usr/bin/env python3
"""Golden outputs of the common corruptions (beyond.md §2.3) on tiny images, from an independent
Python implementation of the same definitions, kdistill's generator and kdistill's seeding rule.

Regenerate (needs numpy and scipy; the Swift tests never need Python):
    python3 scripts/golden/corruptions.py > Tests/KDDataTests/Fixtures/CorruptionsGolden.swift

Definitions (every value a Python float, i.e. IEEE double; exp/log/cos from the C library, as Swift's):
    x = byte / 255; the corruption; clip to [0, 1]; quantise by truncation int(x * 255).
    Generator: xoshiro256** seeded by SplitMix64 (KDTensor's SeededGenerator). uniform = (next >> 11) * 2^-53;
    normal = sqrt(-2 ln max(u1, 1e-300)) * cos(2 pi u2) (Box-Muller).
    Streams (kdistill's rule): image i under (corruption index in table order, severity) draws from
    SeededGenerator(mix(mix(mix(seed, index), severity), i)), mix(a, b) = SplitMix64 finaliser of a + golden * (b + 1);
    pixels in storage order (channel planes, each row-major).
    gaussian_noise x + c * normal; shot_noise Poisson(x c) / c by sequential inversion (stop when F stops growing);
    impulse_noise u1 < c flips, then u2 < 1/2 salt (1) else pepper (0); gaussian_blur separable, radius
    int(4 sigma + 0.5), mode nearest, scipy's symmetric summation order (checked against scipy.ndimage here);
    contrast (x - m) c + m per channel; brightness gray x + c, RGB skimage rgb2hsv / V + c clipped / hsv2rgb;
    pixelate BOX (binary weights, centres in (c_j - h, c_j + h]) down to int(S c) then up, along W then H.
"""
import math
import sys

import numpy as np
import scipy
import scipy.ndimage

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
SEED = 12345
CORRUPTIONS = ["gaussian_noise", "shot_noise", "impulse_noise", "gaussian_blur", "contrast", "brightness", "pixelate"]
TABLES = {
    "mnist-c": [
        [0.08, 0.12, 0.18, 0.26, 0.38], [60, 25, 12, 5, 3], [0.03, 0.06, 0.09, 0.17, 0.27], [1, 2, 3, 4, 6],
        [0.4, 0.3, 0.2, 0.1, 0.05], [0.1, 0.2, 0.3, 0.4, 0.5], [0.6, 0.5, 0.4, 0.3, 0.25],
    ],
    "cifar10-c": [
        [0.04, 0.06, 0.08, 0.09, 0.10], [500, 250, 100, 75, 50], [0.01, 0.02, 0.03, 0.05, 0.07],
        [0.4, 0.6, 0.7, 0.8, 1], [0.75, 0.5, 0.4, 0.3, 0.15], [0.05, 0.1, 0.15, 0.2, 0.3],
        [0.95, 0.9, 0.85, 0.75, 0.65],
    ],
}


def finalise(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def mix(a, b):
    return finalise((a + GOLDEN * (b + 1)) & MASK)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Generator:
    """xoshiro256** seeded by SplitMix64, as KDTensor's SeededGenerator."""

    def __init__(self, seed):
        self.s, sm = [], seed
        for _ in range(4):
            sm = (sm + GOLDEN) & MASK
            self.s.append(finalise(sm))

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

    def normal(self):
        u1 = max(self.uniform(), 1e-300)
        u2 = self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def stream(seed, corruption, severity, image):
    return Generator(mix(mix(mix(seed, CORRUPTIONS.index(corruption)), severity), image))


def poisson(lam, u):
    k, p = 0, math.exp(-lam)
    f = p
    while u > f:
        k += 1
        p = p * lam / k
        g = f + p
        if g == f:
            break
        f = g
    return k


def blur_weights(sigma):
    r = int(4 * sigma + 0.5)
    k = -0.5 / (sigma * sigma)
    full = [math.exp(t * (t * k)) for t in range(-r, r + 1)]
    total = 0.0
    for w in full:
        total += w
    return [full[r + d] / total for d in range(r + 1)]


def filter_line(line, w):
    r, n = len(w) - 1, len(line)
    ext = [line[min(max(j - r, 0), n - 1)] for j in range(n + 2 * r)]
    out = []
    for i in range(n):
        acc = ext[i + r] * w[0]
        for d in range(r, 0, -1):
            acc += (ext[i + r - d] + ext[i + r + d]) * w[d]
        out.append(acc)
    return out


def blur_plane(p, sigma):
    """p: list of H rows of W values. Along H (columns) first, then along W (rows)."""
    w = blur_weights(sigma)
    h, wd = len(p), len(p[0])
    cols = [filter_line([p[y][x] for y in range(h)], w) for x in range(wd)]
    tmp = [[cols[x][y] for x in range(wd)] for y in range(h)]
    return [filter_line(row, w) for row in tmp]


def box_spans(n, m):
    h = 0.5 * max(n / m, 1)
    spans = []
    for j in range(m):
        c = (j + 0.5) * n / m
        inside = [i for i in range(n) if c - h < i + 0.5 <= c + h]
        assert inside and inside == list(range(inside[0], inside[-1] + 1))
        spans.append(inside)
    return spans


def resample(line, spans):
    out = []
    for s in spans:
        total = 0.0
        for i in s:
            total += line[i]
        out.append(total / len(s))
    return out


def pixelate_plane(p, c):
    h, w = len(p), len(p[0])
    sh, sw = max(1, int(h * c)), max(1, int(w * c))
    along_w = lambda rows, n, m: [resample(r, box_spans(n, m)) for r in rows]

    def along_h(rows, n, m):
        cols = [resample([r[x] for r in rows], box_spans(n, m)) for x in range(len(rows[0]))]
        return [[cols[x][y] for x in range(len(cols))] for y in range(m)]

    a = along_w(p, w, sw)
    b = along_h(a, h, sh)
    a = along_w(b, sw, w)
    return along_h(a, sh, h)


def mod1(a):
    m = math.fmod(a, 1.0)
    return m + 1.0 if m < 0 else m


def rgb2hsv(r, g, b):
    v = max(max(r, g), b)
    delta = v - min(min(r, g), b)
    if delta == 0:
        return 0.0, 0.0, v
    s = delta / v
    if b == v:
        h6 = 4 + (r - g) / delta
    elif g == v:
        h6 = 2 + (b - r) / delta
    else:
        h6 = (g - b) / delta
    return mod1(h6 / 6), s, v


def hsv2rgb(h, s, v):
    hi = math.floor(h * 6)
    f = h * 6 - hi
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][int(hi) % 6]


def corrupt_image(img, shape, corruption, c, rng):
    """img: bytes of one image [C, H, W] in storage order; returns the corrupted bytes."""
    ch, h, w = shape
    plane = h * w
    x = [b / 255 for b in img]
    if corruption == "gaussian_noise":
        x = [v + c * rng.normal() for v in x]
    elif corruption == "shot_noise":
        x = [poisson(b / 255 * c, rng.uniform()) / c for b in img]
    elif corruption == "impulse_noise":
        for k in range(len(x)):
            if rng.uniform() < c:
                x[k] = 1.0 if rng.uniform() < 0.5 else 0.0
    elif corruption in ("gaussian_blur", "pixelate"):
        out = []
        for k in range(ch):
            p = [x[k * plane + y * w:k * plane + (y + 1) * w] for y in range(h)]
            q = blur_plane(p, c) if corruption == "gaussian_blur" else pixelate_plane(p, c)
            out += [v for row in q for v in row]
        x = out
    elif corruption == "contrast":
        for k in range(ch):
            total = 0.0
            for v in x[k * plane:(k + 1) * plane]:
                total += v
            m = total / plane
            for i in range(k * plane, (k + 1) * plane):
                x[i] = (x[i] - m) * c + m
    elif corruption == "brightness":
        if ch == 3:
            for i in range(plane):
                hh, ss, vv = rgb2hsv(x[i], x[plane + i], x[2 * plane + i])
                x[i], x[plane + i], x[2 * plane + i] = hsv2rgb(hh, ss, min(max(vv + c, 0.0), 1.0))
        else:
            x = [v + c for v in x]
    return [int(min(max(v, 0.0), 1.0) * 255) for v in x]


def corrupt_set(images, shape, corruption, severity, table):
    c = TABLES[table][CORRUPTIONS.index(corruption)][severity - 1]
    size = shape[0] * shape[1] * shape[2]
    out = []
    for i in range(len(images) // size):
        out += corrupt_image(images[i * size:(i + 1) * size], shape, corruption, c, stream(SEED, corruption, severity, i))
    return out


def gray_images():
    """2 images [1, 8, 8]: ramps with saturated corners."""
    out = []
    for i in range(2):
        for y in range(8):
            for x in range(8):
                v = (37 * y + 11 * x + 97 * i + (x * y) % 7 * 19) % 256
                out.append(0 if (x, y) == (0, 0) else 255 if (x, y) == (7, 7) else v)
    return out


def rgb_images():
    """2 images [3, 8, 8]; image 1 has a gray row (r = g = b) and a row with r = b > g (hue ties)."""
    out = []
    for i in range(2):
        px = [[[(37 * y + 11 * x + 53 * c + 97 * i + (x * y) % 7 * 19) % 256 for x in range(8)] for y in range(8)]
              for c in range(3)]
        if i == 1:
            for x in range(8):
                px[0][0][x] = px[1][0][x] = px[2][0][x] = 30 * x
                px[0][1][x] = px[2][1][x] = 200
                px[1][1][x] = 25 * x
        out += [px[c][y][x] for c in range(3) for y in range(8) for x in range(8)]
    return out


def check_against_references():
    rng = np.random.default_rng(0)
    for sigma in (0.4, 0.6, 0.7, 0.8, 1, 2, 3, 4, 6):
        plane = rng.random((8, 11))
        ours = np.array(blur_plane(plane.tolist(), sigma))
        ref = scipy.ndimage.gaussian_filter(plane, sigma, truncate=4.0, mode="nearest")
        assert np.abs(ours - ref).max() < 1e-12, (sigma, np.abs(ours - ref).max())
        assert (np.floor(np.clip(ours, 0, 1) * 255) == np.floor(np.clip(ref, 0, 1) * 255)).all(), sigma
        k = scipy.ndimage._filters._gaussian_kernel1d(sigma, 0, int(4 * sigma + 0.5))
        w = blur_weights(sigma)
        assert np.abs(k[len(w) - 1:] - np.array(w)).max() < 1e-15, sigma
    for r, g, b in rng.random((200, 3)).tolist() + [(0.2, 0.2, 0.2), (0.8, 0.1, 0.8), (0.0, 0.0, 0.0)]:
        assert np.allclose(hsv2rgb(*rgb2hsv(r, g, b)), (r, g, b), atol=1e-12)
    for lam in (0.5, 12.0, 60.0, 500.0):
        draws = [poisson(lam, u) for u in np.random.default_rng(1).random(4000)]
        assert abs(np.mean(draws) - lam) < 4 * math.sqrt(lam / 4000) + 1e-9, lam


def hex_lines(values, per_line=48):
    h = bytes(values).hex()
    return [h[i:i + 2 * per_line] for i in range(0, len(h), 2 * per_line)]


def byte_literal(values, per_line=16):
    lines = [", ".join(str(v) for v in values[i:i + per_line]) for i in range(0, len(values), per_line)]
    return "[\n" + "".join("        %s,\n" % line for line in lines) + "    ]"


def main():
    check_against_references()
    gray, rgb = gray_images(), rgb_images()
    gen = Generator(SEED)
    draws = [gen.next() for _ in range(4)]
    out = [
        "// CorruptionsGolden: reference outputs of the common corruptions (numpy %s, scipy %s for the blur"
        % (np.__version__, scipy.__version__),
        "// check). GENERATED by scripts/golden/corruptions.py; do not edit. Regenerate with",
        "// `python3 scripts/golden/corruptions.py > Tests/KDDataTests/Fixtures/CorruptionsGolden.swift`.",
        "",
        "/// Two gray images `[1, 8, 8]` and two RGB images `[3, 8, 8]`, their outputs under every corruption at every",
        "/// severity of both tables with seed %d (key `table/corruption/severity`: the gray outputs then the RGB ones," % SEED,
        "/// as hex), the first words of SeededGenerator(seed) and some stream seeds of kdistill's rule.",
        "enum CorruptionsGolden {",
        "    static let seed: UInt64 = %d" % SEED,
        "    static let firstWords: [UInt64] = [%s]" % ", ".join(str(d) for d in draws),
        "    static let streamSeeds: [(corruption: String, severity: Int, image: Int, seed: UInt64)] = [",
    ]
    for name, severity, image in (("gaussian_noise", 1, 0), ("impulse_noise", 5, 1), ("shot_noise", 3, 9999)):
        s = mix(mix(mix(SEED, CORRUPTIONS.index(name)), severity), image)
        out.append('        ("%s", %d, %d, %d),' % (name, severity, image, s))
    out += [
        "    ]",
        "    static let gray: [UInt8] = %s" % byte_literal(gray),
        "    static let rgb: [UInt8] = %s" % byte_literal(rgb),
        "    static let outputs: [String: [String]] = [",
    ]
    for table in TABLES:
        for name in CORRUPTIONS:
            for severity in range(1, 6):
                values = corrupt_set(gray, (1, 8, 8), name, severity, table)
                values += corrupt_set(rgb, (3, 8, 8), name, severity, table)
                out.append('        "%s/%s/%d": [' % (table, name, severity))
                out += ['            "%s",' % line for line in hex_lines(values)]
                out.append("        ],")
    out += ["    ]", "}"]
    print("\n".join(out))
    print("corruptions.py: blur, HSV and Poisson checks passed", file=sys.stderr)


if __name__ == "__main__":
    main()
