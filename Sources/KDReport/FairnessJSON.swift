// FairnessJSON: the `fairness` object of `kdistill eval --json` and summary.json, written and read in one
// place: support, per-class accuracy and standard error, mean per-class, worst class, worst-k means, and
// with a teacher the gap g_c = a_c(student) − a_c(teacher).

import KDJSON

extension ClassFairness {
    /// The `fairness` object; `teacher` adds `teacher_gap` (per class, min and its class, mean |g|).
    public func json(teacher: ClassFairness? = nil) -> JSONValue {
        let optional = { (x: Double?) in x.map(JSONValue.number) ?? .null }
        var o = JSONObject()
        if let classNames { o["class_names"] = .array(classNames.map(JSONValue.string)) }
        o["support"] = .array(support.map(JSONValue.int))
        o["per_class_accuracy"] = .array(accuracy.map(optional))
        o["per_class_se"] = .array(standardError.map(optional))
        o["mean_per_class_accuracy"] = optional(meanPerClass)
        o["worst_class_accuracy"] = optional(worstClass?.accuracy)
        o["worst_class"] = worstClass.map { .int($0.index) } ?? .null
        var worst = JSONObject()
        for (k, mean) in worstKMeans { worst[String(k)] = .number(mean) }
        o["worst_k_mean"] = .object(worst)
        if let teacher, let gap = gap(to: teacher) {
            o["teacher_gap"] = [
                "per_class": .array(gap.perClass.map(optional)), "min": optional(gap.minimum?.value),
                "min_class": gap.minimum.map { .int($0.index) } ?? .null, "mean_abs": optional(gap.meanAbsolute),
            ]
        }
        return .object(o)
    }

    /// The figures of a `fairness` object (nil when it lacks `per_class_accuracy`, or `support` of its length).
    public init?(json: JSONValue?) {
        guard let values = json?["per_class_accuracy"]?.arrayValue,
            let support = json?["support"]?.arrayValue?.map({ $0.intValue ?? 0 }), support.count == values.count
        else { return nil }
        let names = json?["class_names"]?.arrayValue?.compactMap(\.stringValue)
        self.init(accuracy: values.map(\.doubleValue), support: support, classNames: names)
    }
}
