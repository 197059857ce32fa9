// DML: Zhang, Xiang, Hospedales & Lu 2018, "Deep Mutual Learning". K ≥ 2 students train together;
// member k: L_k = ce_weight·CE(y, z_k) + peer_weight·(1/(K−1))·Σ_{l≠k} T²·KL(softmax(z_l/T) ‖ softmax(z_k/T))
// (peers detached) [+ kd_weight·kd_T²·KL(softmax(z_t/kd_T) ‖ softmax(z_k/kd_T)) with an optional teacher].

import KDNN
import KDTensor

/// A cohort of students, each learning from the labels and its peers' predictions (Zhang et al. 2018).
public final class DML: CohortMethod {
    /// The `dml` parameters.
    public static let params: [ParamSpec] = [
        ParamSpec(
            "students", .list(.model), default: .absent,
            doc: "the cohort's models, at least 2 (absent: two copies of the config's student)"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("peer_weight", .number(.nonNegative), default: 1, doc: "weight of the mean KL to the peers"),
        ParamSpec("T", .number(.positive), default: 1, doc: "softmax temperature of the peer term (T²-scaled)"),
        ParamSpec(
            "update", .string(choices: ["sequential", "simultaneous"]), default: "sequential",
            doc: "sequential: update member 1, recompute, update member 2, ...; simultaneous: one forward per batch"),
        ParamSpec(
            "kd_weight", .number(.nonNegative), default: 0,
            doc: "weight of a KD term from the teacher to every member (> 0 needs a teacher)"),
        ParamSpec("kd_T", .number(.positive), default: 4, doc: "temperature of the teacher's KD term"),
        LogitStandardization.param,
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "dml", citation: "Zhang et al. 2018", summary: "a cohort of students learning from the labels and each other",
        params: params, teacher: .optional, shape: .cohort { p, student in try DML(p, student: student) })

    /// The cohort's architectures (`students`, or the config's student twice).
    public let members: [ModelConfig]
    /// `update: simultaneous`.
    public let simultaneousUpdate: Bool
    let ceWeight: Float, peerWeight: Float, temperature: Float, kdWeight: Float, kdTemperature: Float
    /// Whether the peer and teacher terms z-score the logits (`logit_standardization`).
    let standardize: Bool

    /// `student` is the config's student, copied twice when `students` is absent.
    init(_ p: ParamValues, student: ModelConfig?) throws {
        if p.contains("students") {
            members = try p.models("students")
        } else if let student {
            members = [student, student]
        } else {
            throw MethodError("method.students: absent and no student configured; give at least 2 models or set student")
        }
        guard members.count >= 2 else {
            throw MethodError("method.students: expected a cohort of at least 2 models, found \(members.count)")
        }
        let update = try p.string("update")
        guard update == "sequential" || update == "simultaneous" else {
            throw MethodError("method.update: expected one of sequential, simultaneous, found \"\(update)\"")
        }
        simultaneousUpdate = update == "simultaneous"
        ceWeight = Float(try p.double("ce_weight"))
        peerWeight = Float(try p.double("peer_weight"))
        temperature = Float(try p.double("T"))
        kdWeight = Float(try p.double("kd_weight"))
        kdTemperature = Float(try p.double("kd_T"))
        standardize = LogitStandardization.requested(p)
        for (key, t) in [("T", temperature), ("kd_T", kdTemperature)] where !(t > 0 && t.isFinite) {
            throw MethodError("method.\(key): expected a number > 0, found \(t)")
        }
    }

    /// Logits of the teacher when `kd_weight > 0`, nothing otherwise.
    public var teacherUse: TeacherUse { kdWeight > 0 ? .logits : .none }

    /// A teacher term without a configured teacher is a config error naming `kd_weight`.
    public func validateTeacher(configured: Bool) throws {
        if kdWeight > 0 && !configured {
            throw MethodError(
                "method.kd_weight: dml's teacher term (kd_weight \(kdWeight) > 0) needs a teacher; "
                    + "set teacher.checkpoint or kd_weight 0")
        }
    }

    /// Terms `ce`, `peer` and (with `kd_weight > 0` and a teacher in `step.teachers`) `kd` of member `k`.
    /// Only `outputs[k]` needs to be on the tape; the peers are read without gradient.
    public func losses(member k: Int, outputs: [ModelOutput], step: StepContext) -> [LossTerm] {
        let zk = outputs[k].logits
        let peers = outputs.indices.filter { $0 != k }.map { outputs[$0].logits }
        var terms = [
            LossTerm("ce", step.crossEntropy(zk) * ceWeight),
            LossTerm(
                "peer", Self.peerLoss(member: zk, peers: peers, temperature: temperature, standardize: standardize) * peerWeight),
        ]
        if kdWeight > 0, let teacher = step.teachers.first {
            terms.append(
                LossTerm(
                    "kd",
                    SoftTargets.kd(student: zk, teacher: teacher.logits, temperature: kdTemperature, standardize: standardize)
                        * kdWeight))
        }
        return terms
    }

    /// (1/|peers|)·Σ_l T²·KL(softmax(z_l/T) ‖ softmax(z_k/T)), batchmean; `member` z_k `[B, K]`, each peer
    /// `[B, K]` and detached (no gradient reaches it). Zero without peers. With `standardize`, every network's
    /// logits are z-scored first (LogitStandardization).
    public static func peerLoss(member zk: Tensor, peers: [Tensor], temperature t: Float, standardize: Bool = false) -> Tensor {
        guard !peers.isEmpty else { return Tensor(0) }
        let logQ = (LogitStandardization.apply(zk, standardize) * (1 / t)).logSoftmax()
        var total: Tensor?
        for zl in peers {
            let target = noGrad { (LogitStandardization.apply(zl.detached(), standardize) * (1 / t)).logSoftmax() }
            let kl = klDivergence(targetLogProbs: target, logProbs: logQ)
            total = total.map { $0 + kl } ?? kl
        }
        return (total ?? Tensor(0)) * (t * t / Float(peers.count))
    }
}
