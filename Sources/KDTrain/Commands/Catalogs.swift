// Catalogs: the text of `kdistill models` (the zoo with parameters and FLOPs for an input) and
// `kdistill methods` (every method with its citation, parameters and defaults, and the combine rule).

import Foundation
import KDMethods
import KDNN

/// Listings printed by the CLI.
public enum Catalogs {
    /// One row per listed zoo model (plus `extra` names) for `[C, H, W]` input and `classes` classes.
    public static func models(inputShape: [Int], classes: Int, extra: [String] = []) throws -> [(
        name: String, parameters: Int, flops: Int
    )] {
        try (Zoo.listedNames + extra).compactMap { name in
            if name == "lenet5" && (inputShape[1] < 16 || inputShape[2] < 16) { return nil }
            let model = try Zoo.build(ModelSpec(name: name, inputShape: inputShape, numClasses: classes), seed: 0)
            return (name, model.parameterCount, model.flopsPerImage)
        }
    }

    /// The models table as aligned text.
    public static func modelsText(inputShape: [Int], classes: Int, extra: [String] = []) throws -> String {
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        var lines = [pad("model", 16) + pad("parameters", 12, left: true) + pad("MFLOPs", 10, left: true)]
        for row in try models(inputShape: inputShape, classes: classes, extra: extra) {
            lines.append(
                pad(row.name, 16) + pad(String(row.parameters), 12, left: true)
                    + pad(String(format: "%.2f", Double(row.flops) / 1e6), 10, left: true))
        }
        lines.append(
            "input \(inputShape.map(String.init).joined(separator: "x")), \(classes) classes; FLOPs count a multiply-add as 2. "
                + "Also: any mlp-H1-H2-..., resnetD (D = 6n+2), wrn-D-k (D = 6n+4).")
        return lines.joined(separator: "\n")
    }

    /// Every method with its parameters and defaults, then the combine rule (`at+kd`) with each
    /// combination's defaults.
    public static func methodsText() -> String {
        var out: [String] = []
        for entry in MethodRegistry.all {
            var header = "\(entry.name): \(entry.summary) (\(entry.citation))"
            if entry.teacherCheckpoints != nil {
                header += "; teachers listed in its parameters"
            } else if entry.teacher == .optional {
                header += "; teacher optional"
            }
            if entry.combinable { header += "; combines with kd as \(entry.name)+kd" }
            out.append(header)
            // An object parameter's keys follow it, indented two more (kd's class_adaptive: rule, gamma).
            let rows = entry.params.flatMap { p -> [(String, ParamSpec)] in
                guard case .object(let keys, _) = p.kind else { return [(p.name, p)] }
                return [(p.name, p)] + keys.map { ("  " + $0.name, $0) }
            }
            let width = max(16, rows.map(\.0.count).max() ?? 0)  // padding(toLength:) would cut longer names
            for (name, p) in rows {
                out.append(
                    "    \(name.padding(toLength: width, withPad: " ", startingAt: 0)) \(p.kind.expectation), default \(p.defaultDescription): \(p.doc)"
                )
            }
        }
        let rule = MethodRegistry.catalog.ruleText
        if !rule.isEmpty { out += ["", rule] }
        return out.joined(separator: "\n")
    }
}
