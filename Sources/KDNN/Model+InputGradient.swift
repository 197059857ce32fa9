// Model+InputGradient: ∂loss/∂input of a network with its weights held fixed (no weight gradients are
// computed or accumulated, so a training step's gradients are untouched): what every attack needs.

import KDTensor

extension Model {
    /// `loss(forward(x))` and its gradient with respect to `x` `[N, C, H, W]`, the parameters constant.
    /// `context` decides the mode (attacks run in evaluation mode: `.eval`, running statistics unchanged).
    public func inputGradient(
        _ x: Tensor, _ context: ForwardContext, loss: (ModelOutput) -> Tensor
    ) -> (value: Float, gradient: Tensor) {
        KDTensor.inputGradient(of: x, holdingFixed: parameters) { loss(forward($0, context)) }
    }
}
