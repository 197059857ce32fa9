// SpaceSampler: random search over a SearchSpace (beyond.md 4.3): trial i draws its values, in the file's
// key order, from a generator seeded by (study seed, i) through SeededGenerator's one seed-mixing rule,
// so a trial's values never depend on other trials. Every key consumes one draw, sampled or not.

import Foundation
import KDJSON
import KDTensor

/// Draws from a search space.
public enum SpaceSampler {
    /// The generator of trial `trial` of a study seeded `seed`; an invalid draw is replaced by its next draw.
    public static func generator(seed: Int, trial: Int) -> SeededGenerator {
        SeededGenerator(seed: UInt64(bitPattern: Int64(seed)), streams: [0x7475_6e65, UInt64(trial)])  // "tune"
    }

    /// One draw of every key (those whose `when` fails are left out), in file order.
    public static func draw(_ space: SearchSpace, rng: inout SeededGenerator) -> JSONObject {
        var drawn = JSONObject()
        for param in space.params {
            let u = rng.uniformDouble()
            let applies = param.when.allSatisfy { condition in drawn[condition.key].map { condition.values.contains($0) } ?? false
            }
            if applies { drawn[param.key] = value(param.distribution, u: u) }
        }
        return drawn
    }

    /// The value at `u` in [0, 1) (bounds inclusive, as beyond.md 4.2 writes them).
    public static func value(_ distribution: Distribution, u: Double) -> JSONValue {
        switch distribution {
        case .choice(let values):
            return values[min(values.count - 1, Int((u * Double(values.count)).rounded(.down)))]
        case .uniform(let low, let high):
            return .number(min(high, low + u * (high - low)))
        case .loguniform(let low, let high):
            return .number(min(high, max(low, exp(log(low) + u * (log(high) - log(low))))))
        case .int(let low, let high, let step, let isLog):
            if isLog {
                let (a, b) = (log(Double(low) - 0.5), log(Double(high) + 0.5))
                return .int(min(high, max(low, Int(exp(a + u * (b - a)).rounded()))))
            }
            let count = (high - low) / step + 1
            return .int(low + step * min(count - 1, Int((u * Double(count)).rounded(.down))))
        }
    }

    /// The values a space check tries for a key: every choice, or both ends of a range.
    static func probes(_ distribution: Distribution) -> [JSONValue] {
        switch distribution {
        case .choice(let values): return values
        case .uniform(let low, let high), .loguniform(let low, let high): return [.number(low), .number(high)]
        case .int(let low, let high, let step, let isLog):
            return [.int(low), .int(isLog ? high : low + (high - low) / step * step)]
        }
    }
}
