// ModelNames: the default model-name validator for configs: exactly the zoo's name patterns of
// models.md (`mlp-H1-H2-...`, `lenet5`, `resnetD`, `resnet8x4`, `resnet32x4`, `wrn-D-k`, D = 6n+4).
// The zoo may supply its own validator through ConfigContext instead.

/// Zoo name rules.
public enum ModelNames {
    /// CIFAR ResNet depths of the zoo.
    public static let resnetDepths = [8, 14, 20, 32, 44, 56, 110]

    /// Names for suggestions and editor completion (every fixed name plus common MLPs and WRNs).
    public static let examples: [String] =
        ["mlp-1200-1200", "mlp-800-800", "lenet5"]
        + resnetDepths.map { "resnet\($0)" } + ["resnet8x4", "resnet32x4", "wrn-16-1", "wrn-16-2", "wrn-40-1", "wrn-40-2"]

    /// A regular expression for JSON Schema (WRN depths are checked only as digits there).
    public static let pattern =
        "^(mlp(-[1-9][0-9]*)+|lenet5|resnet(8|14|20|32|44|56|110)|resnet(8|32)x4|wrn-[1-9][0-9]*-[1-9][0-9]*)$"

    /// Whether `name` is a zoo model: `mlp-H1[-H2...]` (positive sizes), `lenet5`, `resnetD` for the
    /// depths above, `resnet8x4`, `resnet32x4`, or `wrn-D-k` with D = 6n+4 (n ≥ 1) and k ≥ 1.
    public static func isZooName(_ name: String) -> Bool {
        if name == "lenet5" || name == "resnet8x4" || name == "resnet32x4" { return true }
        if name.hasPrefix("resnet"), let d = positiveInt(name.dropFirst(6)) { return resnetDepths.contains(d) }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        if parts.first == "mlp" {
            return parts.count >= 2 && parts.dropFirst().allSatisfy { positiveInt($0) != nil }
        }
        if parts.first == "wrn", parts.count == 3, let d = positiveInt(parts[1]), positiveInt(parts[2]) != nil {
            return d >= 10 && (d - 4) % 6 == 0
        }
        return false
    }

    /// A positive decimal integer without sign or leading zeros (at most 9 digits).
    static func positiveInt(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.first != "0", s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}
