// ErrorClass: which errors are the user's input (exit status 2: usage, config, data, checkpoint,
// method parameters) and which are runtime failures (exit status 1), and the version string.

import KDData
import KDMethods
import KDNN
import KDReport

/// Sorts errors by exit status.
public enum ErrorClass {
    /// Bad usage, config, data or checkpoint.
    public static func isInputError(_ error: Error) -> Bool {
        error is ConfigError || error is DataError || error is CheckpointError || error is MethodError || error is ModelError
            || error is RunInputError || error is ParamError || (error as? ReportError)?.kind == .input
    }
}

/// The release this build reports with `--version`.
public enum KDistillVersion {
    public static let current = "0.1.0"
}
