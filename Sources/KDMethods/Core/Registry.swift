// Registry: the one list of distillation methods, with each one's parameters, citation, part in
// combinations and how to build it. `kdistill methods`, the config decoder and the JSON Schema read it.

import KDNN
import KDTensor

/// How a method is built and run.
public indirect enum MethodShape {
    /// One student: built per run from its parameters and setup.
    case single((ParamValues, MethodSetup) throws -> DistillationMethod)
    /// A cohort of students trained together.
    case cohort((ParamValues, ModelConfig?) throws -> CohortMethod)
    /// A chain of runs.
    case pipeline((ParamValues) throws -> PipelineMethod)
    /// One of several shapes, chosen by the string parameter `key` (tfkd: `variant`).
    case variant(key: String, shapes: [String: MethodShape])

    /// The shape for parameters `p` (itself unless it is a `variant`; the key's choices are checked when the
    /// config is decoded, so an unknown value keeps the variant, which no builder accepts).
    public func resolved(_ p: ParamValues) -> MethodShape {
        guard case .variant(let key, let shapes) = self, let name = try? p.string(key), let shape = shapes[name] else {
            return self
        }
        return shape.resolved(p)
    }
}

/// Whether a method takes a teacher.
public enum TeacherRequirement: Sendable {
    case required, optional
}

/// A registered method.
public struct MethodEntry {
    public let name: String
    /// Paper reference (`Hinton et al. 2015`).
    public let citation: String
    /// One line on what it does.
    public let summary: String
    public let params: [ParamSpec]
    public let teacher: TeacherRequirement
    /// Its part in '+' combinations (`at+kd`): none, an add-on (feature and relation methods) or the base (kd).
    public let combine: CombineRole
    /// Checkpoints to load as teachers instead of `teacher.checkpoint` (ensembles).
    public let teacherCheckpoints: ((ParamValues) throws -> [String])?
    public let shape: MethodShape

    public init(
        name: String, citation: String, summary: String, params: [ParamSpec], teacher: TeacherRequirement = .required,
        combine: CombineRole = .none, teacherCheckpoints: ((ParamValues) throws -> [String])? = nil, shape: MethodShape
    ) {
        (self.name, self.citation, self.summary, self.params, self.teacher) = (name, citation, summary, params, teacher)
        (self.combine, self.teacherCheckpoints, self.shape) = (combine, teacherCheckpoints, shape)
    }

    /// Whether it joins kd as `name+kd` (feature and relation methods).
    public var combinable: Bool { combine == .addOn }
}

/// Every method kdistill implements.
public enum MethodRegistry {
    /// In the order `kdistill methods` lists them; every single-student entry also declares `quantize`.
    public static let all: [MethodEntry] = [
        KD.entry,
        DKD.entry,
        DIST.entry,
        FitNet.entry,
        AttentionTransfer.entry,
        FSP.entry,
        RKD.entry,
        SP.entry,
        PKT.entry,
        CC.entry,
        NST.entry,
        KDSVD.entry,
        VID.entry,
        OFD.entry,
        CRD.entry,
        ReviewKD.entry,
        AB.entry,
        FT.entry,
        DML.entry,
        ESKD.entry,
        BAN.entry,
        Ensemble.entry,
        TAKD.entry,
        TFKD.entry,
        NoisyStudent.entry,
        MeanTeacher.entry,
        ARD.entry,
        RSLAD.entry,
    ].map(Quantization.declaring)

    /// The entry named `name`.
    public static func entry(_ name: String) -> MethodEntry? { all.first { $0.name == name } }

    /// What the combine rule (and through it the config decoder) knows of every method.
    public static var catalog: MethodCatalog {
        MethodCatalog(all.map { MethodTraits(name: $0.name, params: $0.params, role: $0.combine, shape: $0.shape.label) })
    }

    /// Resolves `name` by the combine rule (canonical spelling, parts, parameters), or a method error.
    public static func resolve(_ name: String) throws -> ResolvedMethod {
        switch catalog.resolve(name) {
        case .success(let resolved): return resolved
        case .failure(let error): throw MethodError("method.name: " + error.message)
        }
    }

    /// Methods that run without a teacher.
    public static var teacherOptional: Set<String> { Set(all.filter { $0.teacher == .optional }.map(\.name)) }
}

/// A single-student method made of several (`at+kd`): the union of their terms, each name once.
final class CombinedMethod: DistillationMethod {
    let parts: [DistillationMethod]

    init(_ parts: [DistillationMethod]) { self.parts = parts }

    var stages: [Stage] { parts.first?.stages ?? [] }
    var extraLayers: [Layer] { parts.flatMap(\.extraLayers) }
    var teacherBatchStatistics: Bool { parts.contains { $0.teacherBatchStatistics } }
    var persistentState: [NamedTensor] { parts.flatMap(\.persistentState) }

    func afterStep() { parts.forEach { $0.afterStep() } }

    func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor {
        parts.reduce(images) { $1.studentInput($0, step) }
    }

    /// The first part's evaluated model (only mean-teacher has one, and it combines with nothing).
    var evaluatedModel: Model? { parts.lazy.compactMap(\.evaluatedModel).first }
    var loggedValues: [(name: String, value: Double)] { parts.flatMap(\.loggedValues) }

    func teacherUse(in stage: Stage) -> TeacherUse { .combined(parts.map { $0.teacherUse(in: stage) }) }

    func teacherUse(in stage: Stage, epoch: Int) -> TeacherUse { .combined(parts.map { $0.teacherUse(in: stage, epoch: epoch) }) }

    /// The parts' terms, each name once; an initialisation stage's terms come from the part declaring it alone.
    func losses(_ step: StepContext) -> [LossTerm] {
        var seen = Set<String>()
        let active = step.stage.initialization ? parts.filter { $0.stages.contains(step.stage) } : parts
        return active.flatMap { $0.losses(step) }.filter { seen.insert($0.name).inserted }
    }
}

extension MethodRegistry {
    /// Builds the single-student method `parts` (one name, or a combination such as `[at, kd]`, built in
    /// the canonical order of the combine rule so `[kd, at]` is the same method).
    public static func buildSingle(parts: [String], params: ParamValues, setup: MethodSetup) throws -> DistillationMethod {
        var built: [DistillationMethod] = []
        let names = try resolve(parts.joined(separator: "+")).parts
        for name in names {
            guard let entry = entry(name), case .single(let make) = entry.shape.resolved(params) else {
                throw MethodError("method.name: \(name) is not a single-student method")
            }
            built.append(try make(params, setup))
        }
        // Only the first part's stages run, so two parts with stages of their own (ab+ft) cannot combine.
        let staged = zip(names, built).filter { !$0.1.stages.isEmpty }.map(\.0)
        if staged.count > 1 {
            throw MethodError(
                "method.name: \(staged.joined(separator: " and ")) each have a stage of their own and cannot be combined")
        }
        return built.count == 1 ? built[0] : CombinedMethod(built)
    }
}
