// TensorStorage: the float32 buffer behind a Tensor, 64-byte aligned, recycled through a size-keyed
// pool so that a training step, which allocates the same sizes every time, never calls malloc.

import Foundation

/// A contiguous float32 buffer. Tensors share one when they are views of each other (reshape, detach).
public final class TensorStorage: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// Start of the buffer; valid while this object is alive.
    public let base: UnsafeMutablePointer<Float>

    /// A buffer whose contents are unspecified (recycled memory): the caller writes every element.
    public init(uninitializedCount count: Int) {
        self.count = count
        self.base = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(base, count) }
}

/// Keeps freed buffers by exact size for reuse. Thread-safe; bounded by `capacityBytes`.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    /// Upper bound on the bytes held idle in the pool; beyond it buffers go back to the system.
    public var capacityBytes = 3 << 30
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private let lock = NSLock()

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        lock.lock()
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            idleBytes -= n * 4
            lock.unlock()
            return p
        }
        lock.unlock()
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, n * MemoryLayout<Float>.stride) == 0, let raw else {
            fatalError("kdistill: out of memory allocating \(n * 4) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: n)
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        let n = max(count, 1)
        lock.lock()
        if idleBytes + n * 4 <= capacityBytes {
            free[n, default: []].append(p)
            idleBytes += n * 4
            lock.unlock()
            return
        }
        lock.unlock()
        Foundation.free(p)
    }
}
