// Interruption: SIGINT/SIGTERM handling. The first signal sets a flag the training loop polls after
// each batch (it then saves a resumable state and exits cleanly); a second one ends the process at once.

import Foundation

nonisolated(unsafe) private var interruptionSignal: Int32 = 0

/// Cooperative interruption of a training run.
public enum Interruption {
    /// Installs the handlers (idempotent).
    public static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                interruptionSignal = received
                signal(received, SIG_DFL)
            }
        }
    }

    /// The signal received, or nil.
    public static var pending: Int32? { interruptionSignal == 0 ? nil : interruptionSignal }
}

/// Thrown when a run stopped on a signal after saving its state.
public struct RunInterrupted: Error, CustomStringConvertible {
    public let description: String
}
