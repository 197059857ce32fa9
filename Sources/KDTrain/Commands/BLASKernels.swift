// BLASKernels: starts the process again with the right OpenBLAS kernels when OpenBLAS fell back to
// its oldest x86-64 ones (it reads OPENBLAS_CORETYPE only when it loads, before any Swift code runs).

import Foundation
import KDTensor

/// The process-level fix for OpenBLAS's kernel detection.
public enum BLASKernels {
    /// When OPENBLAS_CORETYPE is unset, KDISTILL_BLAS_CORE is not `keep`, and OpenBLAS chose Prescott on
    /// a CPU with AVX2/AVX-512 (3.6x slower GEMMs measured on W1), sets OPENBLAS_CORETYPE and executes
    /// this program again with the same arguments. Returns (and keeps the current kernels) otherwise
    /// or when the exec fails.
    public static func restartWithBetterKernelsIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["KDISTILL_BLAS_CORE"] != "keep",
            let kernels = BLASKernelChoice.upgradeForThisMachine()
        else { return }
        setenv("OPENBLAS_CORETYPE", kernels, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")  // exec failed: carry on as before
    }

    /// The kernel set OpenBLAS runs in this process.
    public static var current: String { Gemm.kernelSet }
}
