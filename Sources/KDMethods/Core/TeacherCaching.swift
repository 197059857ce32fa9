// TeacherCaching: the `cache_teacher` parameter shared by every method that reads a single frozen
// teacher, and its one rule: a cached teacher sees each training image once, so no augmentation.

/// The `cache_teacher` parameter and its check.
public enum TeacherCaching {
    /// `cache_teacher` for methods that read logits only (kd, eskd, ensemble).
    public static let logitsParam = ParamSpec(
        "cache_teacher", .boolean, default: false,
        doc: "compute the teacher's logits once for the training set (only without augmentation)")

    /// `cache_teacher` for feature and relation methods: logits and the taps the method reads.
    public static let featuresParam = ParamSpec(
        "cache_teacher", .boolean, default: false,
        doc: "compute the teacher's logits and the taps this method reads once for the training set "
            + "(only without augmentation; skipped when it would need more than 40% of memory)")

    /// Throws when `cache_teacher` is on for augmented batches.
    public static func check(_ p: ParamValues, _ setup: MethodSetup) throws {
        if try p.bool("cache_teacher") && setup.augmented {
            throw MethodError("method.cache_teacher: needs data.augment off (a cached teacher sees each image once, unaugmented)")
        }
    }
}
