// ConvLowering: the one rule choosing how a convolution runs (im2col + GEMM, direct, or Winograd),
// per pass, from its shape and what was measured on the project's machine; `KDISTILL_CONV` or
// `ConvKernels.lowering` forces one lowering for tests and benchmarks.

import Foundation

/// How a convolution pass is computed.
public enum ConvLowering: String, CaseIterable, Sendable {
    /// The measured rule below.
    case auto
    /// Small groups of images unfolded into an im2col buffer, then OpenBLAS.
    case im2col
    /// DirectConv's register-blocked loops ("same" stride-1 convolutions), no Winograd anywhere.
    case direct
    /// Winograd F(2x2,3x3) (3x3 stride-1 convolutions).
    case winograd
}

extension ConvKernels {
    /// The lowering every convolution is forced to where it applies (elsewhere direct if it applies, else
    /// im2col; so `direct` is the engine before Winograd); starts from `KDISTILL_CONV` (auto, im2col, direct,
    /// winograd).
    nonisolated(unsafe) public static var lowering: ConvLowering =
        ProcessInfo.processInfo.environment["KDISTILL_CONV"].flatMap { ConvLowering(rawValue: $0.lowercased()) } ?? .auto

    /// The three passes of a convolution.
    enum Pass { case forward, inputGradient, weightGradient }

    /// The lowering `pass` of `g` runs with (never `.auto`).
    static func choice(_ pass: Pass, _ g: ConvGeometry) -> ConvLowering {
        let direct: Bool
        switch pass {
        case .forward: direct = DirectConv.applies(g)
        case .inputGradient, .weightGradient:
            direct = DirectConv.appliesToWeightGradient(g) && FlippedConvolution.geometry(g).map(DirectConv.applies) ?? false
        }
        let winograd = WinogradConv.applies(g)
        switch lowering {
        case .im2col: return .im2col
        case .direct: return direct ? .direct : .im2col
        case .winograd: return winograd ? .winograd : direct ? .direct : .im2col
        case .auto: return winograd && measuredWinogradWins(pass, g) ? .winograd : direct ? .direct : .im2col
        }
    }

    /// Where Winograd measured faster than the lowering chosen otherwise on the project's machine
    /// (`kdistill bench --conv`, CPU time, README "Speed"): the forward pass and the input gradient on maps
    /// of 8x8 and larger (1.2–1.7x; on 7x7 the 2x2 tiles compute 64 outputs for 49 and it is 10% slower),
    /// the weight gradient from 12x12 (1.1–1.5x; level with im2col on 8x8).
    static func measuredWinogradWins(_ pass: Pass, _ g: ConvGeometry) -> Bool {
        g.outPixels >= (pass == .weightGradient ? 144 : 64)
    }
}
