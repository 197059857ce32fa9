// GradCheck: compares the tape's gradients with central finite differences, relative to the
// gradient's own size with a floor at the float32 rounding noise of the difference quotient.

import KDTensor
import XCTest

/// One probed element: the tape's gradient and the finite-difference estimate.
public struct GradientProbe {
    public let input: Int, element: Int
    public let analytic: Double, numeric: Double
}

/// What a gradient check saw: the ops `f` recorded on the tape, every probe, and the mismatches.
public struct GradientCheckResult {
    /// Ops recorded on the tape while evaluating `f` (the census requires each case to record its op).
    public let ops: Set<Op>
    public let probes: [GradientProbe]
    /// The absolute floor the probes were held to (the finite difference's rounding noise).
    public let noiseFloor: Double
    /// One line per failing input (missing gradient, or its first element outside the tolerance).
    public let failures: [String]
}

/// Checks d(Σ f(inputs) ⊙ R)/d(inputs) from `backward()` against central differences, R a fixed
/// random projection so that every output element's gradient is exercised. At most `maxProbes`
/// elements per input are probed (spread over the tensor).
///
/// Criterion, per probed element: |tape − fd| ≤ floor + rtol · max(|tape|, |fd|).
/// Why: the forward pass runs in float32, so each evaluation of S = Σ f ⊙ R is off by about
/// u·Σ|f ⊙ R| (u = 2⁻²⁴); the quotient (S(x+h) − S(x−h)) / 2h turns that into an absolute error of
/// about u·Σ|f ⊙ R| / 2h, the same for every element whatever the gradient's size. `floor` is 10×
/// that (across the suite the worst case needs 2× at h = 1e-2 and 7× at h = 3e-3). Above it the
/// test is relative: a gradient of 1e-2 is held to 1e-4 as one of 10 is to 0.1 (the old rule,
/// tolerance·max(1, |g|), let any gradient below 1 be off by an absolute 2e-2). Central differences
/// truncate at O(h²·f‴), well under 1% at the default h = 1e-2 for inputs of order 1, and that h
/// keeps the floor 10× lower than h = 1e-3 would. Steps are the float32 values actually taken
/// (x ± h rounded), and the sums are accumulated in double.
public func checkGradients(
    _ inputs: [Tensor], eps: Float = 1e-2, rtol: Double = 1e-2, maxProbes: Int = 40, seed: UInt64 = 7,
    _ f: ([Tensor]) -> Tensor
) -> GradientCheckResult {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let y = f(inputs)
    let ops = y.opsOnTape
    var rng = SeededGenerator(seed: seed)
    let projection = Tensor.randomNormal(y.shape, rng: &rng)
    (y * projection).sum().backward()
    /// (Σ f ⊙ R, Σ |f ⊙ R|) at the current inputs, in double.
    func objective() -> (value: Double, magnitude: Double) {
        noGrad {
            let out = f(inputs)
            var s = 0.0, m = 0.0
            for i in 0..<out.count {
                let term = Double(out.data[i]) * Double(projection.data[i])
                s += term
                m += Swift.abs(term)
            }
            return (s, m)
        }
    }
    let unitRoundoff = 0x1p-24
    let floor = 10 * unitRoundoff * objective().magnitude / (2 * Double(eps))
    var probes: [GradientProbe] = [], failures: [String] = []
    for (k, x) in inputs.enumerated() {
        guard let grad = x.grad else {
            failures.append("input \(k) \(x.shape) received no gradient")
            continue
        }
        var failed = false
        for i in stride(from: 0, to: x.count, by: Swift.max(1, x.count / maxProbes)) {
            let saved = x.data[i]
            x.data[i] = saved + eps
            let (up, plus) = (Double(x.data[i]) - Double(saved), objective().value)
            x.data[i] = saved - eps
            let (down, minus) = (Double(saved) - Double(x.data[i]), objective().value)
            x.data[i] = saved
            let numeric = (plus - minus) / (up + down), analytic = Double(grad.data[i])
            probes.append(GradientProbe(input: k, element: i, analytic: analytic, numeric: numeric))
            let allowed = floor + rtol * Swift.max(Swift.abs(analytic), Swift.abs(numeric))
            if !failed && !(Swift.abs(analytic - numeric) <= allowed) {
                failures.append(
                    "input \(k) \(x.shape) element \(i): tape \(analytic), finite difference \(numeric) "
                        + "(allowed difference \(allowed))")
                failed = true
            }
        }
    }
    return GradientCheckResult(ops: ops, probes: probes, noiseFloor: floor, failures: failures)
}

/// Fails the test unless every probed gradient matches (see `checkGradients`; `tolerance` is its
/// relative tolerance). Returns the ops `f` recorded on the tape.
@discardableResult
public func assertGradientsMatch(
    _ inputs: [Tensor], eps: Float = 1e-2, tolerance: Double = 1e-2, maxProbes: Int = 40, seed: UInt64 = 7,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) -> Tensor
) -> Set<Op> {
    let result = checkGradients(inputs, eps: eps, rtol: tolerance, maxProbes: maxProbes, seed: seed, f)
    for failure in result.failures { XCTFail(failure, file: file, line: line) }
    return result.ops
}

/// Fails unless `a` and `b` have equal length and agree within `atol + rtol·|b|` elementwise.
public func assertClose(
    _ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    guard a.count == b.count else {
        XCTFail("\(message) lengths \(a.count) vs \(b.count)", file: file, line: line)
        return
    }
    for i in 0..<a.count where !(Swift.abs(a[i] - b[i]) <= atol + rtol * Swift.abs(b[i])) {
        XCTFail("\(message) element \(i): \(a[i]) vs \(b[i])", file: file, line: line)
        return
    }
}

/// A tensor of the given shape with normal entries from a fixed seed.
public func randomTensor(_ shape: [Int], seed: UInt64 = 1, std: Float = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, std: std, rng: &rng)
}
