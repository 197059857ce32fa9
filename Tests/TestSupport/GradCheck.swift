// GradCheck: compares the tape's gradients with central finite differences. The output is
// projected on a fixed random tensor so that every output element's gradient is exercised.

import KDTensor
import XCTest

/// Checks d(Σ f(inputs) ⊙ R)/d(inputs) from `backward()` against central differences.
/// At most `maxProbes` elements per input are probed (spread over the tensor).
public func assertGradientsMatch(
    _ inputs: [Tensor], eps: Float = 1e-2, tolerance: Float = 2e-2,
    maxProbes: Int = 40, seed: UInt64 = 7,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) -> Tensor
) {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let y = f(inputs)
    var rng = SeededGenerator(seed: seed)
    let projection = Tensor.randomNormal(y.shape, rng: &rng)
    (y * projection).sum().backward()
    func objective() -> Double {
        noGrad {
            let out = f(inputs)
            var s = 0.0
            for i in 0..<out.count { s += Double(out.data[i]) * Double(projection.data[i]) }
            return s
        }
    }
    for (k, x) in inputs.enumerated() {
        guard let grad = x.grad else {
            XCTFail("input \(k) \(x.shape) received no gradient", file: file, line: line)
            continue
        }
        let step = Swift.max(1, x.count / maxProbes)
        for i in stride(from: 0, to: x.count, by: step) {
            let saved = x.data[i]
            x.data[i] = saved + eps
            let plus = objective()
            x.data[i] = saved - eps
            let minus = objective()
            x.data[i] = saved
            let numeric = Float((plus - minus) / Double(2 * eps))
            let analytic = grad.data[i]
            let scale = Swift.max(1, Swift.abs(numeric), Swift.abs(analytic))
            if Swift.abs(numeric - analytic) > tolerance * scale {
                XCTFail(
                    "input \(k) \(x.shape) element \(i): tape \(analytic), finite difference \(numeric)",
                    file: file, line: line)
                return
            }
        }
    }
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
