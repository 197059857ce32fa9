// MeanTeacherRules: the formulas of Tarvainen & Valpola 2017 as plain functions: the consistency cost
// between the student's and the weight average's predictions, the ramp-up of its weight and the EMA decay.

import Foundation
import KDTensor

/// Mean Teacher's consistency cost: how far the student's prediction is from the EMA model's.
public enum Consistency: String, CaseIterable, Sendable {
    /// (1/B) Σ_b (1/K) ‖softmax(z_s) − softmax(z_ema)‖² (the reference's `softmax_mse_loss`, divided by K).
    case mse
    /// (1/B) Σ_b KL(softmax(z_ema) ‖ softmax(z_s)), summed over classes.
    case kl

    /// The cost for the student's logits `zs` and the EMA model's `zEMA`, both `[B, K]`; no gradient reaches zEMA.
    public func loss(student zs: Tensor, ema zEMA: Tensor) -> Tensor {
        switch self {
        case .mse:
            return mseLoss(zs.softmax(), noGrad { zEMA.detached().softmax() })
        case .kl:
            return klDivergence(targetLogProbs: noGrad { zEMA.detached().logSoftmax() }, logProbs: zs.logSoftmax())
        }
    }
}

/// The consistency weight's ramp-up and the EMA decay of each step.
public struct MeanTeacherSchedule: Equatable, Sendable {
    /// w_max: the consistency weight after the ramp-up.
    public let maxWeight: Double
    /// L: the ramp-up's length in epochs (0: no ramp-up).
    public let rampupEpochs: Double
    /// α_phase after the ramp-up and during it.
    public let emaDecay: Double, rampupDecay: Double

    public init(maxWeight: Double, rampupEpochs: Double, emaDecay: Double, rampupDecay: Double) {
        (self.maxWeight, self.rampupEpochs, self.emaDecay, self.rampupDecay) = (maxWeight, rampupEpochs, emaDecay, rampupDecay)
    }

    /// w(t) = w_max · exp(−5 (1 − t/L)²) at fractional epoch t < L, w_max after (Laine & Aila 2017's
    /// sigmoid ramp-up, the reference's `ramps.sigmoid_rampup`).
    public func consistencyWeight(atEpoch t: Double) -> Double {
        guard t < rampupEpochs else { return maxWeight }
        let phase = 1 - Swift.max(t, 0) / rampupEpochs
        return maxWeight * Foundation.exp(-5 * phase * phase)
    }

    /// α = min(1 − 1/(s + 1), α_phase) for optimizer step s (counted from 1) taken at fractional epoch t:
    /// a true average of the weights so far at first (the reference's PyTorch code), α_phase once that exceeds it.
    public func decay(step s: Int, atEpoch t: Double) -> Double {
        Swift.min(1 - 1 / Double(s + 1), t < rampupEpochs ? rampupDecay : emaDecay)
    }
}
