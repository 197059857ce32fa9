// QuantizableLayers: finds a model's conv and linear layer objects with their state-dict prefixes. The layers
// are reached by reflection over stored properties (arrays, optionals and tuples included); their names come
// from the model's own `namedTensors`, the one home of the prefix rule.

/// The conv and linear layers of a model, by state-dict prefix.
enum QuantizableLayers {
    /// Prefix (`layer1.0.conv1.`) → layer, for every Conv2d and Linear reachable from `model`'s stored properties.
    static func find(in model: Model) -> [String: FakeQuantizable] {
        var found: [ObjectIdentifier: FakeQuantizable] = [:]
        var visited = Set<ObjectIdentifier>()
        collect(model, into: &found, visited: &visited)
        var out: [String: FakeQuantizable] = [:]
        for named in model.state where named.name.hasSuffix("weight") {
            if let layer = found[ObjectIdentifier(named.tensor)] { out[String(named.name.dropLast(6))] = layer }
        }
        return out
    }

    /// Adds the layers under `value`, keyed by their weight tensor.
    private static func collect(
        _ value: Any, into found: inout [ObjectIdentifier: FakeQuantizable], visited: inout Set<ObjectIdentifier>
    ) {
        if let layer = value as? FakeQuantizable {
            found[ObjectIdentifier(layer.weight)] = layer
            return
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .class:
            guard let object = value as? Layer, visited.insert(ObjectIdentifier(object)).inserted else { return }
        case .collection, .optional, .tuple, .struct: break
        default: return
        }
        var current: Mirror? = mirror
        while let m = current {
            for child in m.children { collect(child.value, into: &found, visited: &visited) }
            current = m.superclassMirror
        }
    }
}
