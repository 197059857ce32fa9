// Pareto: dominance among trials with several objectives (beyond.md 4.5): i dominates j if it is no worse
// in every objective and better in one; front indices by repeated non-dominated sorting (front 0 = the
// Pareto front). Points are given with every coordinate to be minimised.

/// Non-dominated sorting of small sets (a study's trials: O(n²) per front is plenty).
public enum Pareto {
    /// Whether `a` dominates `b` (every coordinate minimised).
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var better = false
        for (x, y) in zip(a, b) {
            if x > y { return false }
            if x < y { better = true }
        }
        return better
    }

    /// The front index of each point: 0 for the non-dominated ones, 1 for those dominated only by front 0, ...
    public static func fronts(_ points: [[Double]]) -> [Int] {
        var index = [Int](repeating: -1, count: points.count)
        var front = 0
        var left = Array(points.indices)
        while !left.isEmpty {
            let current = left.filter { i in !left.contains { j in j != i && dominates(points[j], points[i]) } }
            for i in current { index[i] = front }
            left.removeAll { current.contains($0) }
            front += 1
        }
        return index
    }
}
