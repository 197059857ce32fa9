// LRSchedule: the learning rate at each global step: constant, step, multi-step or cosine, with an
// optional linear warm-up. Matches PyTorch's StepLR/MultiStepLR (stepped per epoch), CosineAnnealingLR
// (stepped per iteration, T_max = steps) and LinearLR warm-up (start 1/W) values.

import Foundation

/// A learning-rate schedule over a run of `epochs` epochs of `stepsPerEpoch` steps each.
public struct LRSchedule: Equatable, Sendable {
    /// The shape of the schedule after warm-up.
    public enum Kind: Equatable, Sendable {
        /// The base rate throughout.
        case constant
        /// Multiplied by `gamma` every `everyEpochs` epochs (StepLR).
        case step(everyEpochs: Int, gamma: Double)
        /// Multiplied by `gamma` at each milestone epoch (MultiStepLR).
        case multiStep(milestones: [Int], gamma: Double)
        /// lr_min + (lr0 − lr_min)(1 + cos(π·t/T))/2 over the steps after warm-up (CosineAnnealingLR).
        case cosine(minLR: Double)
    }

    /// Learning rate lr0 after warm-up.
    public var baseLR: Double
    /// What happens after warm-up.
    public var kind: Kind
    /// Steps per epoch (batches per epoch).
    public var stepsPerEpoch: Int
    /// Total epochs of the run.
    public var epochs: Int
    /// Warm-up length in epochs (may be fractional; 0 for none).
    public var warmupEpochs: Double

    /// A schedule; `stepsPerEpoch` and `epochs` are clamped to at least 1.
    public init(baseLR: Double, kind: Kind, stepsPerEpoch: Int, epochs: Int, warmupEpochs: Double = 0) {
        self.baseLR = baseLR
        self.kind = kind
        self.stepsPerEpoch = Swift.max(1, stepsPerEpoch)
        self.epochs = Swift.max(1, epochs)
        self.warmupEpochs = Swift.max(0, warmupEpochs)
    }

    /// Total optimizer steps of the run.
    public var totalSteps: Int { stepsPerEpoch * epochs }

    /// Warm-up steps: warmupEpochs·stepsPerEpoch rounded to nearest (at least 1 when warm-up is on,
    /// at most the whole run).
    public var warmupSteps: Int {
        guard warmupEpochs > 0 else { return 0 }
        let w = (warmupEpochs * Double(stepsPerEpoch)).rounded()
        return w >= Double(totalSteps) ? totalSteps : Swift.max(1, Int(w))
    }

    /// The learning rate for global step `t` (0-based; the step taken after `t` earlier steps).
    /// During warm-up lr0·(t+1)/W. After it, step and multi-step decay at epoch boundaries counted
    /// from the start of the run (milestones are whole-run epochs); cosine runs over the remaining
    /// steps, t' = t − W of T' = total − W.
    public func learningRate(atStep t: Int) -> Float {
        let warm = warmupSteps
        if t < warm { return Float(baseLR * Double(t + 1) / Double(warm)) }
        let epoch = t / stepsPerEpoch
        switch kind {
        case .constant:
            return Float(baseLR)
        case let .step(every, gamma):
            return Float(baseLR * Foundation.pow(gamma, Double(epoch / Swift.max(1, every))))
        case let .multiStep(milestones, gamma):
            let passed = milestones.filter { $0 <= epoch }.count
            return Float(baseLR * Foundation.pow(gamma, Double(passed)))
        case let .cosine(minLR):
            let span = Swift.max(1, totalSteps - warm)
            let progress = Double(Swift.min(t - warm, span)) / Double(span)
            return Float(minLR + (baseLR - minLR) * (1 + Foundation.cos(Double.pi * progress)) / 2)
        }
    }

    /// The learning rate at the first step of `epoch` (for logs).
    public func learningRate(atEpoch epoch: Int) -> Float { learningRate(atStep: epoch * stepsPerEpoch) }
}
