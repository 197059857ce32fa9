// ZooNames: the one rule for model names. `parse` decides what the zoo builds; `namePattern`, the
// config schema's regular expression, is generated from the same depth rules and digit limits.

extension Zoo {
    /// The deepest ResNet or WRN the zoo builds (He et al., 2016 trained resnet1202 on CIFAR).
    public static let maxDepth = 1202

    /// The architecture a name denotes, or nil: `mlp-H1[-H2...]`, `lenet5`, `resnetD` and `resnetDx4`
    /// (D = 6n+2), `wrn-D-k` (D = 6n+4); every number a positive decimal as `positiveInt` reads it.
    static func parse(_ name: String) -> Architecture? {
        if name == "lenet5" { return .lenet5 }
        if name.hasPrefix("mlp-") {
            let sizes = name.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false).map(positiveInt)
            guard sizes.allSatisfy({ $0 != nil }) else { return nil }
            return .mlp(sizes.map { $0! })
        }
        if name.hasPrefix("resnet") {
            let wide = name.hasSuffix("x4")
            guard let depth = positiveInt(name.dropFirst(6).dropLast(wide ? 2 : 0)), isResNetDepth(depth) else { return nil }
            return .resnet(depth: depth, widths: wide ? [32, 64, 128, 256] : [16, 16, 32, 64])
        }
        if name.hasPrefix("wrn-") {
            let parts = name.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false).map(positiveInt)
            guard parts.count == 2, let depth = parts[0], let widen = parts[1], isWRNDepth(depth) else { return nil }
            return .wrn(depth: depth, widen: widen)
        }
        return nil
    }

    /// Whether `name` is a zoo model.
    public static func isValidName(_ name: String) -> Bool { parse(name) != nil }

    /// CIFAR ResNet depths: 6n+2 (n ≥ 1) up to `maxDepth`.
    static func isResNetDepth(_ depth: Int) -> Bool { depth >= 8 && depth <= maxDepth && (depth - 2) % 6 == 0 }

    /// Wide ResNet depths: 6n+4 (n ≥ 1) up to `maxDepth`.
    static func isWRNDepth(_ depth: Int) -> Bool { depth >= 10 && depth <= maxDepth && (depth - 4) % 6 == 0 }

    /// A positive decimal integer without sign or leading zeros, of at most 9 digits (layer widths,
    /// widening factors, depths).
    static func positiveInt(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.first != "0", s.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return Int(s)
    }

    /// The regular expression (JSON Schema / ECMA-262 subset) matching exactly the names `parse` accepts.
    public static var namePattern: String {
        let positive = "[1-9][0-9]{0,8}"
        let resnet = DecimalPattern.matching((1...maxDepth).filter(isResNetDepth))
        let wrn = DecimalPattern.matching((1...maxDepth).filter(isWRNDepth))
        return "^(mlp(-\(positive))+|lenet5|resnet\(resnet)(x4)?|wrn-\(wrn)-\(positive))$"
    }
}

/// Regular expressions for finite sets of numbers.
enum DecimalPattern {
    /// A group matching exactly the decimal spellings of `numbers`: a digit trie in which sibling digits
    /// whose subtrees match the same strings share one character class (`8|14|20` → `(8|14|20)`).
    static func matching(_ numbers: [Int]) -> String { trie(Set(numbers.map { Array(String($0)) })) }

    /// The pattern of a set of digit strings (the empty string among them makes the rest optional).
    static func trie(_ words: Set<[Character]>) -> String {
        var tails: [Character: Set<[Character]>] = [:]
        for word in words where !word.isEmpty { tails[word[0], default: []].insert(Array(word.dropFirst())) }
        var groups: [(tail: String, digits: [Character])] = []
        for digit in tails.keys.sorted() {
            let tail = trie(tails[digit]!)
            if let i = groups.firstIndex(where: { $0.tail == tail }) {
                groups[i].digits.append(digit)
            } else {
                groups.append((tail, [digit]))
            }
        }
        let alternatives = groups.map { characterClass($0.digits) + $0.tail }
        if words.contains([]) { return alternatives.isEmpty ? "" : "(" + alternatives.joined(separator: "|") + ")?" }
        return alternatives.count == 1 ? alternatives[0] : "(" + alternatives.joined(separator: "|") + ")"
    }

    /// `5`, `[0369]` or `[0-9]`.
    static func characterClass(_ digits: [Character]) -> String {
        if digits.count == 1 { return String(digits[0]) }
        if digits.count == 10 { return "[0-9]" }
        return "[" + String(digits) + "]"
    }
}
