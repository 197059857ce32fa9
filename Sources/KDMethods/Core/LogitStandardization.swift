// LogitStandardization: Sun et al. 2024, "Logit Standardization in Knowledge Distillation": both networks'
// logits z-scored per sample, z̃ = (z − mean_k z)/(std_k z + 1e-7) with Bessel's correction, before the
// temperature softmax of the distillation term only (CE keeps the raw logits); T becomes a base temperature.

import KDTensor

/// The `logit_standardization` option of the soft-target methods (kd, dkd, eskd, ensemble, takd, ban, dml's
/// peer term, x+kd) and its transform.
public enum LogitStandardization {
    /// The option's name; conditional defaults (`T` 2 …) refer to it.
    public static let flag = "logit_standardization"

    /// The parameter every soft-target method declares.
    public static let param = ParamSpec(
        flag, .boolean, default: false,
        doc: "z-score both networks' logits per sample before the temperature softmax of the distillation term "
            + "(Sun et al. 2024); T is then the base temperature and defaults follow the authors' code")

    /// Whether `p` turns it on (false when the method does not declare it).
    public static func requested(_ p: ParamValues) -> Bool { (try? p.bool(flag)) ?? false }

    /// `[B, K]` → `[B, K]`: (z − mean)/(std + 1e-7) per row, std with ÷ (K − 1). Gradients flow through the
    /// mean and the std; a constant row (std 0) maps to 0 with a finite gradient.
    public static func standardized(_ z: Tensor) -> Tensor {
        let k = z.shape[1]
        precondition(z.rank == 2 && k >= 2, "LogitStandardization: logits \(z.shape), expected [B, K] with K >= 2")
        let centred = z - z.mean(axes: [1], keepDim: true)
        let variance = (centred * centred).sum(axes: [1], keepDim: true) * (1 / Float(k - 1))
        return centred / (variance.clamp(min: 1e-30).sqrt() + 1e-7)
    }

    /// `z` standardized when `on`, unchanged otherwise.
    public static func apply(_ z: Tensor, _ on: Bool) -> Tensor { on ? standardized(z) : z }
}

extension ParamSpec {
    /// This declaration with `value` as its default under `logit_standardization: true`.
    func standardized(_ value: ParamValue) -> ParamSpec { defaulting(to: value, when: LogitStandardization.flag) }
}
