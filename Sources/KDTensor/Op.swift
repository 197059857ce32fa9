// Op: the closed set of primitive ops the tape records, as a type (candle's `Op`). Every GradNode
// carries one; the gradient-check census requires each case to be seen on the tape of a checked case.

/// A primitive op: what a recorded GradNode computed. Adding a case breaks the exhaustive switch in
/// the gradient-check tests until the op has a finite-difference check that records it.
public enum Op: String, CaseIterable, Sendable {
    // Elementwise arithmetic (broadcasting) and unary functions.
    case add, sub, mul, div, neg, exp, log, sqrt, pow, abs, clamp
    case relu, sigmoid, tanh
    // Reductions.
    case sum, max
    // Shape and indexing.
    case reshape, permute, concat, slice, indexSelect
    // Matrix products.
    case matmul, linear
    // Leading eigenvectors of batched symmetric matrices (kdsvd's singular vectors).
    case symmetricEigen
    // Softmax family and losses.
    case softmax, logSoftmax, crossEntropy, klDivergence, mseLoss, smoothL1Loss
    // Geometry and regularisation.
    case l2Normalize, pairwiseDistances, dropout
    // Gathered dot products against a constant bank, and CRD's NCE loss fused over the gathered rows.
    case gatherDot, contrastiveNCE
    // Convolution, pooling and normalisation.
    case conv2d, maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, globalAvgPool2d
    case batchNorm, batchNormReLU, addReLU
    // Resampling.
    case resizeNearest2d
    // Quantization-aware training: int8 fake quantization with the straight-through estimator.
    case fakeQuantize
}

extension Op: CustomStringConvertible {
    /// The op's name as messages print it (`conv2d`).
    public var description: String { rawValue }
}
