// TeacherCaching: the `cache_teacher` parameter shared by every method that reads frozen teachers
// (pipelines too), and its check: a cached teacher sees each training image once, so no augmentation.

/// The `cache_teacher` parameter and its check.
public enum TeacherCaching {
    /// `cache_teacher` for methods that read logits only (kd, eskd, ensemble, and every run of ban and takd).
    public static let logitsParam = ParamSpec(
        "cache_teacher", .boolean, default: false,
        doc: "compute the teacher's logits once for the training set (only without augmentation)")

    /// `cache_teacher` for feature and relation methods: logits and the taps the method reads.
    public static let featuresParam = ParamSpec(
        "cache_teacher", .boolean, default: false,
        doc: "compute the teacher's logits and the taps this method reads once for the training set "
            + "(only without augmentation; skipped when it would need more than 40% of memory)")

    /// Whether `p` asks for a cached teacher (false when the method has no `cache_teacher`). Whether a
    /// run really caches is decided in one place, by the runner (Teachers.cacheIfAllowed in KDTrain).
    public static func requested(_ p: ParamValues) -> Bool { (try? p.bool("cache_teacher")) ?? false }

    /// Throws when `cache_teacher` is on for augmented batches.
    public static func check(_ p: ParamValues, _ setup: MethodSetup) throws { try check(p, augmented: setup.augmented) }

    /// Throws when `cache_teacher` is on and `augmented` (pipelines check before their first run).
    public static func check(_ p: ParamValues, augmented: Bool) throws {
        if requested(p) && augmented {
            throw MethodError("method.cache_teacher: needs data.augment off (a cached teacher sees each image once, unaugmented)")
        }
    }
}
