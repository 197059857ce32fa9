// FeatureTaps: what the feature methods (fitnet, at, fsp) need to know about a model's taps: their
// shapes, the default taps by architecture (stage outputs of ResNets, group outputs of WRNs, the conv
// maps of LeNet-5, hidden layers of MLPs), which taps follow a ReLU, and tap checks with one-line errors.

import KDNN
import KDTensor

/// Tap shapes and defaults of one network, read once when a method is built.
struct FeatureTaps {
    let model: Model
    /// Tap name → shape of one sample (`[C, H, W]` or `[D]`), from one pass without gradients.
    let shapes: [String: [Int]]
    /// `student` or `teacher`, for messages.
    let role: String

    init(_ model: Model, role: String) {
        self.model = model
        self.role = role
        shapes = model.tapShapes(batch: 1).mapValues { Array($0.dropFirst()) }
    }

    /// The model as messages name it: `student resnet8`.
    var label: String { "\(role) \(model.spec.name)" }

    /// Whether this is a pre-activation Wide ResNet (taps `block1…3`).
    var isWideResNet: Bool { model.tapNames.contains("block1") }

    /// Spatial taps in network order, without the `.preact` variants: `stem, layer1…3` (ResNet),
    /// `stem, block1…3` (WRN), `conv1, conv2` (LeNet-5); empty for MLPs.
    var spatial: [String] {
        model.tapNames.filter { shapes[$0]?.count == 3 && !$0.hasSuffix(".preact") }
    }

    /// Default attention taps: the stage outputs (`layer1…3`, `block1…3`), or LeNet-5's conv maps.
    var stageOutputs: [String] { spatial.filter { $0 != "stem" } }

    /// Default FSP pairs: each stage's input and output, `(stem, layer1), (layer1, layer2), (layer2, layer3)`.
    var consecutivePairs: [(String, String)] {
        let s = spatial
        return s.count < 2 ? [] : (1..<s.count).map { (s[$0 - 1], s[$0]) }
    }

    /// Default FitNets tap, the middle of the network: `layer2` (ResNet), `block2` (WRN), `conv2`
    /// (LeNet-5), `hidden⌈L/2⌉` (MLP with L hidden layers).
    var middle: String? {
        let body = model.tapNames.filter { !["stem", "pool", "logits"].contains($0) && !$0.hasSuffix(".preact") }
        return body.isEmpty ? nil : body[(body.count - 1) / 2]
    }

    /// Whether tap `name` is the output of a ReLU (so a regressor matching it should end in one).
    /// ResNet `stem`/`layerN`, LeNet-5 and MLP hidden taps and every `pool` are; `logits`, `layerN.preact`
    /// and the WRN's `stem` (a bare conv) and `blockN` (raw residual sums) are not.
    func isPostReLU(_ name: String) -> Bool {
        if name == "logits" || name.hasSuffix(".preact") { return false }
        if isWideResNet { return name == "pool" }
        return true
    }

    /// Checks that `name` exists (and, when `spatial`, is a `[C, H, W]` map); returns its sample shape.
    @discardableResult
    func require(_ name: String, key: String, spatial: Bool = false) throws -> [Int] {
        try requireTap(model, name, role: role, key: key)
        guard let shape = shapes[name] else { throw MethodError("\(key): \(label) produced no tap '\(name)'") }
        if spatial && shape.count != 3 {
            let maps = self.spatial.joined(separator: ", ")
            throw MethodError(
                "\(key): expected a [C, H, W] feature map, \(label) tap '\(name)' is \(shape)"
                    + (maps.isEmpty ? " (it has no spatial taps)" : " (spatial taps: \(maps))"))
        }
        return shape
    }
}

extension ParamValues {
    /// The list of tap names `name`, or nil when absent; an empty list is an error.
    func tapList(_ name: String) throws -> [String]? {
        guard contains(name) else { return nil }
        let taps = try strings(name)
        if taps.isEmpty { throw MethodError("\(keyPath(name)): expected at least one tap name, found an empty list") }
        return taps
    }
}

/// The tap `name` of a step's output. Methods validate their taps when built and ask the runner for
/// `.features`, so a missing tap here is a runner bug, not a user error.
func stepTap(_ output: ModelOutput, _ name: String, method: String) -> Tensor {
    guard let t = output.taps[name] else {
        preconditionFailure("\(method): the runner passed no tap '\(name)' (taps: \(output.taps.keys.sorted()))")
    }
    return t
}

extension FeatureTaps {
    /// The pre-ReLU taps in network order (`layer1.preact…layer3.preact`); empty when the model has none.
    var preactivations: [String] { model.tapNames.filter { $0.hasSuffix(".preact") && shapes[$0]?.count == 3 } }

    /// What the methods that match `[C, H, W]` maps pair by pair read when `student_taps`/`teacher_taps` are absent.
    enum PairedDefault {
        /// Each network's stage outputs (`layer1…3`, `block1…3`, lenet5's `conv1, conv2`): at, nst, vid.
        case stageOutputs
        /// The last min(n_s, n_t) `.preact` taps of each network (mdistiller's pairing): ab, ofd.
        case preactivations
    }

    /// The declarations of `student_taps` and `teacher_taps` for a method pairing maps with `defaults`;
    /// `studentNote` and `teacherNote` add a method's own conditions to the docs.
    static func pairedParams(_ defaults: PairedDefault, studentNote: String? = nil, teacherNote: String? = nil) -> [ParamSpec] {
        let (student, teacher, absent): (String, String, (String, String))
        switch defaults {
        case .stageOutputs:
            (student, teacher) = ("student taps", "teacher taps, paired in order with student_taps")
            absent = ("its stage outputs (layer1..3; block1..3 for WRNs, conv1, conv2 for lenet5)", "its stage outputs")
        case .preactivations:
            (student, teacher) = ("student pre-ReLU taps", "teacher pre-ReLU taps paired in order with student_taps")
            absent = ("the last min(n_s, n_t) of its .preact taps (layer1..3.preact)", "as for the student")
        }
        func doc(_ base: String, _ note: String?, _ absent: String) -> String {
            base + (note.map { ", " + $0 } ?? "") + "; absent: " + absent
        }
        return [
            ParamSpec("student_taps", .list(.string()), default: .absent, doc: doc(student, studentNote, absent.0)),
            ParamSpec("teacher_taps", .list(.string()), default: .absent, doc: doc(teacher, teacherNote, absent.1)),
        ]
    }

    /// The `student_taps` and `teacher_taps` of a method matching maps pair by pair: each list as configured
    /// or the networks' `defaults`, every tap a `[C, H, W]` map, both lists of one length.
    static func paired(_ p: ParamValues, student: Model, teacher: Model, method: String, defaults: PairedDefault) throws -> (
        [String], [String]
    ) {
        let s = FeatureTaps(student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        let (sKey, tKey) = (p.keyPath("student_taps"), p.keyPath("teacher_taps"))
        let preact = defaults == .preactivations
        var studentTaps = try p.tapList("student_taps") ?? (preact ? s.preactivations : s.stageOutputs)
        var teacherTaps = try p.tapList("teacher_taps") ?? (preact ? t.preactivations : t.stageOutputs)
        let (missing, needs) =
            preact
            ? ("has no pre-ReLU (.preact) taps", "\(method) needs them")
            : ("has no spatial taps", "\(method) needs [C, H, W] feature maps")
        if studentTaps.isEmpty { throw MethodError("\(sKey): \(s.label) \(missing); \(needs)") }
        if teacherTaps.isEmpty { throw MethodError("\(tKey): \(t.label) \(missing); \(needs)") }
        if preact && !p.contains("student_taps") && !p.contains("teacher_taps") {
            let n = Swift.min(studentTaps.count, teacherTaps.count)
            (studentTaps, teacherTaps) = (Array(studentTaps.suffix(n)), Array(teacherTaps.suffix(n)))
        }
        if !preact {
            for tap in studentTaps { try s.require(tap, key: sKey, spatial: true) }
            for tap in teacherTaps { try t.require(tap, key: tKey, spatial: true) }
        }
        guard studentTaps.count == teacherTaps.count else {
            let lists =
                preact
                ? ("", "")
                : (" [\(studentTaps.joined(separator: ", "))]", " [\(teacherTaps.joined(separator: ", "))]")
            throw MethodError(
                "\(tKey): expected \(studentTaps.count) taps to pair with student_taps\(lists.0), found \(teacherTaps.count)\(lists.1)"
            )
        }
        if preact {
            for tap in studentTaps { try s.require(tap, key: sKey, spatial: true) }
            for tap in teacherTaps { try t.require(tap, key: tKey, spatial: true) }
        }
        return (studentTaps, teacherTaps)
    }
}
