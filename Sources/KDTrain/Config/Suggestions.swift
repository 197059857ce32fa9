// Suggestions: "did you mean ...?" for unknown keys, models, methods and command-line options,
// by edit distance (adjacent swaps count one) with a length-dependent cut-off (and prefixes: `optim` → `optimizer`).

/// Closest-match helpers for error messages.
public enum Suggestions {
    /// Levenshtein distance: the fewest single-character insertions, deletions and substitutions
    /// turning `a` into `b` (compared by Character).
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        let s = Array(a), t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let substitution = previous[j - 1] + (s[i - 1] == t[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[t.count]
    }

    /// Levenshtein distance where swapping two adjacent characters also counts as one edit
    /// (optimal string alignment): `mnsit` is one typo away from `mnist`.
    public static func typoDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a), t = Array(b)
        if s.isEmpty || t.isEmpty { return max(s.count, t.count) }
        var before = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                current[j] = min(previous[j - 1] + (s[i - 1] == t[j - 1] ? 0 : 1), previous[j] + 1, current[j - 1] + 1)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] { current[j] = min(current[j], before[j - 2] + 1) }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[t.count]
    }

    /// The candidate closest to `word` if it is close enough to be a likely typo: at most
    /// max(1, length/3) edits (case-insensitive, adjacent swaps count one), or a candidate that starts with `word`
    /// (3+ characters). Ties go to the smaller plain Levenshtein distance (`kdd` → `kd`, not `dkd`), then
    /// to the earlier candidate. Nil if nothing is close.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let w = word.lowercased()
        let limit = max(1, w.count / 3)
        var best: (name: String, distance: Int, plain: Int)?
        for candidate in candidates where candidate != word {
            let c = candidate.lowercased()
            var d = typoDistance(w, c)
            if d > limit, w.count >= 3, c.hasPrefix(w) { d = limit }
            guard d <= limit else { continue }
            let plain = levenshtein(w, c)
            if best.map({ (d, plain) < ($0.distance, $0.plain) }) ?? true { best = (candidate, d, plain) }
        }
        return best?.name
    }

    /// `; did you mean 'x'?` or, with `listing`, `; expected one of a, b, c`; "" if neither applies.
    public static func hint(for word: String, among candidates: [String], listing: Bool = false) -> String {
        if let c = closest(to: word, among: candidates) { return "; did you mean '\(c)'?" }
        if listing, !candidates.isEmpty { return "; expected one of " + candidates.joined(separator: ", ") }
        return ""
    }
}
