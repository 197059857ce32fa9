// Tensor: a float32 array in row-major (NCHW) order with an optional place on the autodiff tape.
// Ops never modify their inputs; only optimizers and the explicit in-place helpers below do.

import Foundation

/// A contiguous float32 tensor. Reference type: the tape and the optimizers hold the same object.
public final class Tensor: CustomStringConvertible {
    /// Dimensions, outermost first (`[N, C, H, W]` for images).
    public let shape: [Int]
    /// The buffer; shared by views (reshape, detach).
    public let storage: TensorStorage
    /// True for parameters and for every result computed from one while gradients are recorded.
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// How this tensor was computed, when recorded on the tape.
    var node: GradNode?

    /// A tensor over `storage`, which must hold exactly `shape.product` floats.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose elements the caller must all write (recycled memory).
    public convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float) {
        self.init(uninitialized: shape)
        data.update(repeating: value, count: count)
    }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(
            shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.init(uninitialized: shape)
        scalars.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: scalars.count) }
        self.requiresGrad = requiresGrad
    }

    /// A rank-0 tensor.
    public convenience init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// Zeros of the given shape.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    /// Ones of the given shape.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Raw element pointer (row-major). Valid while the tensor is alive.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.base }
    /// The elements as a Swift array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs one element, tensor has shape \(shape)")
        return data[0]
    }
    /// Size of dimension `axis`; negative axes count from the end.
    public func dim(_ axis: Int) -> Int { shape[axis < 0 ? axis + rank : axis] }

    /// A new tensor with the same values, not on the tape.
    public func copy() -> Tensor {
        let out = Tensor(uninitialized: shape)
        out.data.update(from: data, count: count)
        return out
    }

    /// The same values, sharing storage, cut off from the tape (gradients stop here).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Overwrites every element with `value` (in place; not recorded).
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies `other`'s values into this tensor (in place; not recorded).
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}

extension Array where Element == Int {
    /// Product of the elements (1 for an empty shape).
    @inlinable public var product: Int { reduce(1, *) }
}
