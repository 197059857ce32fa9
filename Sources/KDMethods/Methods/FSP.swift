// FSP: Yim, Joo, Bae & Kim 2017, "A Gift from Knowledge Distillation: Fast Optimization, Network
// Minimization and Transfer Learning". G = F1·F2ᵀ/(h·w) per sample `[B, m, n]` (larger map max-pooled);
// stage `fsp`: L = beta·Σ_pairs (1/B)·Σ_b ‖G_t[b] − G_s[b]‖²_F; stage `train`: CE alone, or KD (`stage2: kd`).

import KDNN
import KDTensor

/// Flow-of-solution-procedure matrices of the teacher taught to the student in a first stage.
public final class FSP: DistillationMethod {
    /// Declared parameters (`kdistill methods` prints them).
    public static let params: [ParamSpec] = [
        ParamSpec(
            "beta", .number(.nonNegative), default: 0.01,
            doc: "weight of the summed FSP terms (equal for every pair, as in the paper); squared Frobenius norms are "
                + "large, and 0.01 keeps stage 1 stable at usual learning rates (the paper lowers stage 1's rate 50x instead)"),
        ParamSpec("fsp_epochs", .integer(.positive), default: .absent, doc: "epochs of the FSP stage; absent: max(1, epochs/3)"),
        ParamSpec(
            "stage2", .string(choices: ["ce", "kd"]), default: "ce",
            doc: "loss of the train stage: ce (the paper) or kd (with T, ce_weight, kd_weight)"),
        ParamSpec("T", .number(.positive), default: 4, doc: "temperature of the KD term (stage2 kd)"),
        ParamSpec(
            "ce_weight", .number(.nonNegative), default: .absent,
            doc: "weight of cross-entropy in the train stage; absent: 1 with stage2 ce, 0.1 with kd"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "weight of the KD term (stage2 kd)"),
        ParamSpec(
            "student_pairs", .list(.list(.string(), count: 2)), default: .absent,
            doc:
                "student tap pairs [[first, last], ...]; absent: [[stem, layer1], [layer1, layer2], [layer2, layer3]] (block1..3 for WRNs)"
        ),
        ParamSpec(
            "teacher_pairs", .list(.list(.string(), count: 2)), default: .absent,
            doc: "teacher tap pairs, matched in order with student_pairs; absent: as student_pairs, from the teacher's taps"),
        TeacherCaching.featuresParam,
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "fsp", citation: "Yim et al. 2017",
        summary: "student first matches the teacher's FSP (Gram across stage input and output) matrices, then trains on labels",
        params: params, shape: .single { p, setup in try FSP(p, setup) })

    /// Paired tap pairs `(first, last)`, in order.
    public let studentPairs: [(String, String)], teacherPairs: [(String, String)]
    /// `[fsp, train]`.
    public let stages: [Stage]
    let beta: Float, useKD: Bool, temperature: Float, ceWeight: Float, kdWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "fsp")
        try TeacherCaching.check(p, setup)
        beta = Float(try p.double("beta"))
        useKD = try p.string("stage2") == "kd"
        temperature = Float(try p.double("T"))
        ceWeight = Float(try p.optionalDouble("ce_weight") ?? (useKD ? 0.1 : 1))
        kdWeight = Float(try p.double("kd_weight"))
        let fspEpochs = try p.optionalInt("fsp_epochs") ?? max(1, setup.epochs / 3)
        guard fspEpochs < setup.epochs else {
            throw MethodError(
                "\(p.keyPath("fsp_epochs")): fsp needs fewer FSP epochs than the run's \(setup.epochs) "
                    + "(the train stage needs at least one), found \(fspEpochs)")
        }
        stages = [Stage("fsp", epochs: fspEpochs), Stage("train", epochs: setup.epochs - fspEpochs)]

        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        let (sKey, tKey) = (p.keyPath("student_pairs"), p.keyPath("teacher_pairs"))
        studentPairs = try Self.pairs(p, "student_pairs") ?? s.consecutivePairs
        teacherPairs = try Self.pairs(p, "teacher_pairs") ?? t.consecutivePairs
        if studentPairs.isEmpty {
            throw MethodError("\(sKey): \(s.label) has fewer than two spatial taps; fsp needs [C, H, W] maps")
        }
        if teacherPairs.isEmpty {
            throw MethodError("\(tKey): \(t.label) has fewer than two spatial taps; fsp needs [C, H, W] maps")
        }
        guard studentPairs.count == teacherPairs.count else {
            throw MethodError("\(tKey): expected \(studentPairs.count) pairs to match student_pairs, found \(teacherPairs.count)")
        }
        for (sp, tp) in zip(studentPairs, teacherPairs) {
            let (s1, s2) = (try s.require(sp.0, key: sKey, spatial: true), try s.require(sp.1, key: sKey, spatial: true))
            let (t1, t2) = (try t.require(tp.0, key: tKey, spatial: true), try t.require(tp.1, key: tKey, spatial: true))
            guard s1[0] == t1[0] && s2[0] == t2[0] else {
                throw MethodError(
                    "\(sKey): fsp needs equal channel counts: \(s.label) (\(sp.0), \(sp.1)) has \(s1[0])x\(s2[0]) "
                        + "channels, \(t.label) (\(tp.0), \(tp.1)) has \(t1[0])x\(t2[0])")
            }
        }
    }

    /// The list of two-tap lists `name`, or nil when absent.
    static func pairs(_ p: ParamValues, _ name: String) throws -> [(String, String)]? {
        guard let value = p[name] else { return nil }
        guard case .list(let items) = value else {
            throw MethodError("\(p.keyPath(name)): expected a list of [first, last] tap pairs")
        }
        return try items.map { item in
            guard case .list(let two) = item, two.count == 2, case .string(let a) = two[0], case .string(let b) = two[1] else {
                throw MethodError("\(p.keyPath(name)): expected pairs of two tap names, found \(item.text)")
            }
            return (a, b)
        }
    }

    /// Features in stage fsp; in stage train nothing (ce) or logits (kd).
    public func teacherUse(in stage: Stage) -> TeacherUse {
        stage.name == "fsp" ? .features(Set(teacherPairs.flatMap { [$0.0, $0.1] })) : (useKD ? .logits : .none)
    }

    /// `[fsp]` in stage fsp (no cross-entropy); `[ce]` or `[ce, kd]` in stage train.
    public func losses(_ step: StepContext) -> [LossTerm] {
        guard step.stage.name == "fsp" else {
            let ce = step.crossEntropyTerm(weight: ceWeight)
            guard useKD else { return [ce] }
            let kd = SoftTargets.kd(student: step.student.logits, teacher: step.teacher.logits, temperature: temperature)
            return [ce, LossTerm("kd", kd * kdWeight)]
        }
        let fs = studentPairs.map { (stepTap(step.student, $0.0, method: "fsp"), stepTap(step.student, $0.1, method: "fsp")) }
        let ft = teacherPairs.map { (stepTap(step.teacher, $0.0, method: "fsp"), stepTap(step.teacher, $0.1, method: "fsp")) }
        return [LossTerm("fsp", Self.loss(student: fs, teacher: ft, beta: beta))]
    }

    /// beta · Σ_pairs (1/B)·Σ_b ‖G_t[b] − G_s[b]‖²_F, with G = `FeatureMaps.fsp(first, last)`; each pair's
    /// maps are `[B, m, h, w]` and `[B, n, h', w']`, and student and teacher agree in m and n.
    /// Teacher matrices are computed without gradient.
    public static func loss(student: [(Tensor, Tensor)], teacher: [(Tensor, Tensor)], beta: Float) -> Tensor {
        precondition(student.count == teacher.count && !student.isEmpty, "FSP.loss: \(student.count) vs \(teacher.count) pairs")
        var total: Tensor?
        for (sp, tp) in zip(student, teacher) {
            let gs = FeatureMaps.fsp(sp.0, sp.1)  // [B, m, n]
            let gt = noGrad { FeatureMaps.fsp(tp.0.detached(), tp.1.detached()) }
            let d = gs - gt
            let term = (d * d).sum() * (1 / Float(gs.shape[0]))
            total = total.map { $0 + term } ?? term
        }
        return (total ?? Tensor(0)) * beta
    }
}
