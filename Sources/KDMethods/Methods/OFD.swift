// OFD: Heo, Kim, Yun, Park, Kwak & Choi 2019, "A Comprehensive Overhaul of Feature Distillation": the
// student's pre-ReLU maps, through a 1x1 conv + BN connector, match the teacher's pre-ReLU maps clipped
// from below at a per-channel margin m (E[x | x < 0] of the teacher BN's Gaussian), with a partial L2
// that ignores a student already below a negative teacher; L = ce_weight·CE + ofd_weight·Σ_i 2^{i−n+1}·ofd_i.

import Foundation
import KDNN
import KDTensor

/// Feature-based distillation at pre-ReLU positions with margin-clipped teacher responses.
public final class OFD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec(
                "ofd_weight", .number(.nonNegative), default: 0.001, doc: "weight of the summed partial L2 terms (mdistiller)"),
            ParamSpec(
                "teacher_bn", .string(choices: ["batch", "eval"]), default: "batch",
                doc: "batch: the teacher normalises with each batch's statistics (the authors' code, running averages "
                    + "untouched; no teacher cache); eval: its running statistics"),
        ] + FeatureTaps.pairedParams(.preactivations, teacherNote: "each must come from a batch norm") + [
            TeacherCaching.featuresParam
        ]

    public static let entry = MethodEntry(
        name: "ofd", citation: "Heo et al. 2019",
        summary: "pre-ReLU features through a conv+BN connector, margin-clipped teacher, partial L2",
        params: params, combine: .addOn, shape: .single { p, setup in try OFD(p, setup) })

    /// Paired tap names, in order.
    public let studentTaps: [String], teacherTaps: [String]
    /// Per pair: the teacher channels' margins `[C_t]`.
    public let margins: [[Float]]
    /// Per pair: conv1x1 C_s → C_t (N(0, 2/C_t)) then BN.
    public let connectors: [HintRegressor]
    public let teacherBatchStatistics: Bool
    let ceWeight: Float, ofdWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "ofd")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        ofdWeight = Float(try p.double("ofd_weight"))
        teacherBatchStatistics = try p.string("teacher_bn") == "batch"
        let (studentTaps, teacherTaps) = try FeatureTaps.paired(
            p, student: setup.student, teacher: teacher, method: "ofd", defaults: .preactivations)
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        let (sKey, tKey) = (p.keyPath("student_taps"), p.keyPath("teacher_taps"))
        var margins: [[Float]] = [], connectors: [HintRegressor] = []
        for (i, (sTap, tTap)) in zip(studentTaps, teacherTaps).enumerated() {
            let cs = try s.require(sTap, key: sKey, spatial: true)[0], ct = try t.require(tTap, key: tKey, spatial: true)[0]
            margins.append(try Self.margins(of: teacher, tap: tTap, key: tKey))
            guard
                let c = HintRegressor(
                    student: [cs, 1, 1], teacher: [ct, 1, 1], relu: false, seed: setup.seed ^ (0x0FD_0000 + UInt64(i)))
            else {
                preconditionFailure("OFD: a 1x1 connector always fits")
            }
            connectors.append(c)
        }
        (self.studentTaps, self.teacherTaps, self.margins, self.connectors) = (studentTaps, teacherTaps, margins, connectors)
    }

    public var extraLayers: [Layer] { connectors }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, ofd]`; connectors' BN uses batch statistics while training (the step's context).
    public func losses(_ step: StepContext) -> [LossTerm] {
        let n = connectors.count
        var total: Tensor?
        for j in 0..<n {
            let s = connectors[j](stepTap(step.student, studentTaps[j], method: "ofd"), ForwardContext(training: true))
            let term =
                Self.loss(student: s, teacher: stepTap(step.teacher, teacherTaps[j], method: "ofd"), margins: margins[j])
                * (1 / Float(1 << (n - 1 - j)))
            total = total.map { $0 + term } ?? term
        }
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("ofd", (total ?? Tensor(0)) * ofdWeight)]
    }

    /// One pair: ŝ `[B, C, H, W]` (the connector's output) against the teacher's pre-ReLU map (pooled to ŝ's
    /// size when larger) clipped at the margins, t̂ = max(t, m_c); (1/B)·Σ (ŝ − t̂)² where ŝ > t̂ or t̂ > 0.
    public static func loss(student s: Tensor, teacher ft: Tensor, margins m: [Float]) -> Tensor {
        let (s, t) = FeatureMaps.matchSpatial(s, ft.detached())
        let (b, c) = (t.shape[0], t.shape[1])
        precondition(s.shape == t.shape && m.count == c, "OFD.loss: \(s.shape) vs \(t.shape), \(m.count) margins")
        let plane = t.count / (b * c)
        let clipped = Tensor(uninitialized: t.shape), keep = Tensor(uninitialized: t.shape)
        for bc in 0..<(b * c) {  // one (sample, channel) plane at a time, its margin read once
            let margin = m[bc % c], base = bc * plane
            let (tp, sp, cp, kp) = (t.data + base, s.data + base, clipped.data + base, keep.data + base)
            for i in 0..<plane {
                let v = Swift.max(tp[i], margin)
                cp[i] = v
                kp[i] = (sp[i] > v || v > 0) ? 1 : 0
            }
        }
        let d = s - clipped
        return (d * d * keep).sum() * (1 / Float(b))
    }

    /// The margins `[C]` of a teacher tap from its batch norm's γ, β (σ = |γ|): E[x | x < 0] for
    /// x ~ N(β, σ²), i.e. β − σ·φ(β/σ)/Φ(−β/σ) while Φ(−β/σ) > 0.001, else −3σ; min(β, 0) at σ = 0.
    static func margins(of teacher: Model, tap: String, key: String) throws -> [Float] {
        guard let prefix = teacher.batchNormPrefix(ofTap: tap) else {
            throw MethodError(
                "\(key): teacher \(teacher.spec.name) tap '\(tap)' does not come from a batch norm; ofd needs pre-ReLU BN taps")
        }
        let state = Dictionary(teacher.state.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        guard let gamma = state[prefix + "weight"], let beta = state[prefix + "bias"] else {
            preconditionFailure("OFD: \(teacher.spec.name) has no \(prefix)weight/bias")
        }
        return zip(gamma.scalars, beta.scalars).map { margin(gamma: $0, beta: $1) }
    }

    /// One channel's margin (double precision; Φ(−x) through erfc).
    public static func margin(gamma: Float, beta: Float) -> Float {
        let (s, b) = (Double(Swift.abs(gamma)), Double(beta))
        if s == 0 { return Float(Swift.min(b, 0)) }
        let z = b / s
        let tail = 0.5 * erfc(z / 2.0.squareRoot())  // Φ(−z)
        guard tail > 0.001 else { return Float(-3 * s) }
        let pdf = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        return Float(b - s * pdf / tail)
    }
}
