// DivergenceCheck: when a training loss counts as diverged: non-finite, or finite but exploded, far
// above the first loss of its stage (a student without batch norm can blow up to 1e19 and sit at chance).

import Foundation

/// Watches one network's step losses, stage by stage.
public struct DivergenceCheck {
    /// A finite loss above this multiple of the stage's first loss (floored at 1) counts as diverged.
    public static let explosionFactor = 1e6

    private var stage: String?
    private var reference = 0.0

    public init() {}

    /// Why `loss` (a step's total) means divergence, or nil when training may go on. The first loss of
    /// each stage seen by this process is the reference.
    public mutating func check(_ loss: Double, stage name: String) -> String? {
        if !loss.isFinite { return "became non-finite" }
        if stage != name {
            (stage, reference) = (name, loss)
            return nil
        }
        let limit = Self.explosionFactor * max(reference, 1)
        if loss > limit {
            return "exploded to " + String(format: "%.3g", loss) + " (over 10^6 times the stage's first loss, "
                + String(format: "%.3g", reference) + ")"
        }
        return nil
    }
}
