// OpCatalog: the closed list of primitive ops recorded on the tape. The gradient-check test walks
// this list, so an op added without a finite-difference check fails the suite.

/// Names of every primitive op (the `op` a GradNode carries).
public enum OpCatalog {
    public static let all: [String] = [
        "add", "sub", "mul", "div", "neg", "exp", "log", "sqrt", "pow", "abs", "clamp",
        "relu", "sigmoid", "tanh",
        "sum", "max",
        "reshape", "permute", "concat", "slice", "indexSelect",
        "matmul", "linear",
        "softmax", "logSoftmax", "crossEntropy", "klDivergence", "mseLoss", "smoothL1Loss",
        "l2Normalize", "pairwiseDistances", "dropout",
        "conv2d", "maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveMaxPool2d", "globalAvgPool2d",
        "batchNorm", "batchNormReLU", "addReLU",
    ]
}
