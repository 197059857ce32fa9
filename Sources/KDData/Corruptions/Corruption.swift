// Corruption: the seven common corruptions of MNIST-C (Mu & Gilmer 2019) and CIFAR-10-C (Hendrycks &
// Dietterich 2019) that kdistill generates, in table order (the one list of their names), and the
// parsing of `--corruptions all|a,b` and `--severities 1-5|1,3`.

import Foundation

/// A common corruption, named as on the command line; `allCases` is the table order.
public enum Corruption: String, CaseIterable, Codable, Sendable {
    /// `x + N(0, c²)`.
    case gaussianNoise = "gaussian_noise"
    /// `Poisson(c·x) / c`.
    case shotNoise = "shot_noise"
    /// A fraction c of pixels set to 0 or 1 (half each).
    case impulseNoise = "impulse_noise"
    /// Gaussian filter, σ = c pixels, edges replicated.
    case gaussianBlur = "gaussian_blur"
    /// `(x − m)·c + m`, m the image's mean per channel.
    case contrast
    /// Gray `x + c`; RGB: HSV value + c.
    case brightness
    /// BOX resampling down to `int(S·c)` pixels and back to S.
    case pixelate

    /// Position in table order (0-based): part of the seed of the corruption's random streams.
    public var index: Int { Corruption.allCases.firstIndex(of: self) ?? 0 }

    /// Whether the corruption draws random numbers (the noises); the others are functions of the image.
    public var isRandom: Bool { self == .gaussianNoise || self == .shotNoise || self == .impulseNoise }

    /// Every name, comma-separated, for messages.
    public static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// `all`, or comma-separated names (each once), in the order given; `context` names the option in errors.
    public static func parseList(_ text: String, context: String = "corruptions") throws -> [Corruption] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "all" { return allCases }
        var out: [Corruption] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let c = Corruption(rawValue: name) else {
                throw DataError(
                    file: context, expected: "all or comma-separated names among \(namesList)",
                    found: name.isEmpty ? "an empty name in '\(text)'" : "'\(name)'")
            }
            guard !out.contains(c) else {
                throw DataError(file: context, expected: "each corruption once", found: "'\(name)' twice")
            }
            out.append(c)
        }
        return out
    }
}

/// The five severity levels of the corruption tables.
public enum Severities {
    /// Severities run 1…5.
    public static let range = 1...5

    /// `1-5`, `3`, `1,3` or `1-2,5`: ascending ranges and single levels, each in 1…5 and listed once,
    /// in the order given; `context` names the option in errors.
    public static func parse(_ text: String, context: String = "severities") throws -> [Int] {
        var out: [Int] = []
        let expected = "severities in 1…5 as N, A-B or a comma list (e.g. 1-5, 1,3)"
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard (1...2).contains(ends.count), let lo = ends.first ?? nil, let hi = ends.last ?? nil else {
                throw DataError(
                    file: context, expected: expected, found: item.isEmpty ? "an empty item in '\(text)'" : "'\(item)'")
            }
            guard range.contains(lo), range.contains(hi), lo <= hi else {
                throw DataError(file: context, expected: expected, found: "'\(item)'")
            }
            for s in lo...hi {
                guard !out.contains(s) else {
                    throw DataError(file: context, expected: "each severity once", found: "\(s) twice in '\(text)'")
                }
                out.append(s)
            }
        }
        return out
    }
}
