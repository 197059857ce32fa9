// Warmup: the linear warm-up of distillation terms shared by dkd and reviewkd (mdistiller's rule): the
// term is multiplied by min(e / warmup_epochs, 1), e the 1-based epoch, constant within an epoch.

/// The `warmup_epochs` parameter and the factor it gives each epoch.
public enum Warmup {
    /// `warmup_epochs` with the zoo's default of 20 (mdistiller's dkd and reviewkd).
    public static let param = ParamSpec(
        "warmup_epochs", .integer(.positive), default: 20,
        doc: "the distillation terms ramp up linearly over this many epochs (epoch e of warmup_epochs)")

    /// min((epoch + 1) / warmupEpochs, 1) for the 0-based `epoch` of a step (mdistiller counts from 1).
    public static func factor(epoch: Int, warmupEpochs: Int) -> Float {
        Swift.min(Float(epoch + 1) / Float(warmupEpochs), 1)
    }
}
