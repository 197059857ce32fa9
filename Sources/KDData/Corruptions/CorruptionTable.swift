// CorruptionTable: the two five-level severity tables: `mnist-c` (google-research/mnist-c
// corruptions.py, default for 1x28x28) and `cifar10-c` (hendrycks/robustness make_cifar_c.py, 3x32x32).

/// A severity table: the parameter c of every corruption at every severity.
public enum CorruptionTable: String, CaseIterable, Codable, Sendable {
    /// MNIST-C's five-level lists (Mu & Gilmer 2019).
    case mnistC = "mnist-c"
    /// CIFAR-10-C's (Hendrycks & Dietterich 2019).
    case cifar10C = "cifar10-c"

    /// The parameter c of `corruption` at `severity` (1…5): σ, a rate, a factor or a scale as the
    /// corruption reads it (docs: beyond.md §2.3).
    public func parameter(_ corruption: Corruption, severity: Int) -> Double {
        levels(corruption)[Swift.min(Swift.max(severity, 1), 5) - 1]
    }

    /// The five levels of `corruption`, severity 1 first.
    public func levels(_ corruption: Corruption) -> [Double] {
        switch (self, corruption) {
        case (.mnistC, .gaussianNoise): return [0.08, 0.12, 0.18, 0.26, 0.38]
        case (.mnistC, .shotNoise): return [60, 25, 12, 5, 3]
        case (.mnistC, .impulseNoise): return [0.03, 0.06, 0.09, 0.17, 0.27]
        case (.mnistC, .gaussianBlur): return [1, 2, 3, 4, 6]
        case (.mnistC, .contrast): return [0.4, 0.3, 0.2, 0.1, 0.05]
        case (.mnistC, .brightness): return [0.1, 0.2, 0.3, 0.4, 0.5]
        case (.mnistC, .pixelate): return [0.6, 0.5, 0.4, 0.3, 0.25]
        case (.cifar10C, .gaussianNoise): return [0.04, 0.06, 0.08, 0.09, 0.10]
        case (.cifar10C, .shotNoise): return [500, 250, 100, 75, 50]
        case (.cifar10C, .impulseNoise): return [0.01, 0.02, 0.03, 0.05, 0.07]
        case (.cifar10C, .gaussianBlur): return [0.4, 0.6, 0.7, 0.8, 1]
        case (.cifar10C, .contrast): return [0.75, 0.5, 0.4, 0.3, 0.15]
        case (.cifar10C, .brightness): return [0.05, 0.1, 0.15, 0.2, 0.3]
        case (.cifar10C, .pixelate): return [0.95, 0.9, 0.85, 0.75, 0.65]
        }
    }

    /// The table for images of shape `[C, H, W]`: mnist-c for 1x28x28, cifar10-c for 3x32x32, nil otherwise.
    public static func defaultTable(channels: Int, height: Int, width: Int) -> CorruptionTable? {
        switch (channels, height, width) {
        case (1, 28, 28): return .mnistC
        case (3, 32, 32): return .cifar10C
        default: return nil
        }
    }

    /// The table named `name` when given, else the default for the shape; `context` names the option in errors.
    public static func resolve(
        _ name: String?, channels: Int, height: Int, width: Int, context: String = "table"
    ) throws -> CorruptionTable {
        if let name {
            guard let table = CorruptionTable(rawValue: name) else {
                throw DataError(
                    file: context, expected: allCases.map(\.rawValue).joined(separator: " or "), found: "'\(name)'")
            }
            return table
        }
        guard let table = defaultTable(channels: channels, height: height, width: width) else {
            throw DataError(
                file: context, expected: "a table (mnist-c or cifar10-c) for images of this shape",
                found: "none given for \(channels)x\(height)x\(width) images (defaults: 1x28x28, 3x32x32)")
        }
        return table
    }
}
